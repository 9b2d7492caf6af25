import { describe, expect, it } from 'vitest';
import { ComponentState } from './gen/lichen/v1/component_pb.js';
import { componentStateName, componentStateNames } from './component-state.js';
import { findRequestSubject, subjects } from './subjects.js';

describe('subject map', () => {
  it('fills wildcards of an event pattern in order', () => {
    expect(subjects.component.state.subject('vibration-sensor')).toBe('lichen.evt.component.vibration-sensor.state');
  });

  it('refuses tokens that would change the subject', () => {
    expect(() => subjects.component.state.subject('a.b')).toThrow(/not a valid subject token/);
    expect(() => subjects.component.state.subject('>')).toThrow(/not a valid subject token/);
  });

  it('finds a request contract by its subject', () => {
    expect(findRequestSubject('lichen.health.get')).toBe(subjects.health.get);
    expect(findRequestSubject('lichen.nothing')).toBeUndefined();
  });
});

describe('component state names', () => {
  it('lists the Greengrass lifecycle in order', () => {
    expect(componentStateNames).toEqual(['NEW', 'INSTALLED', 'STARTING', 'RUNNING', 'STOPPING', 'FINISHED', 'ERRORED', 'BROKEN']);
    expect(componentStateName(ComponentState.BROKEN)).toBe('BROKEN');
  });
});
