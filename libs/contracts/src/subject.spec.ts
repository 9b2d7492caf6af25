import { describe, expect, it } from 'vitest';
import { ComponentState } from './gen/lichen/v1/component_pb.js';
import { componentStateName, componentStateNames } from './component-state.js';
import { fillPattern, wildcardValues } from './subject-pattern.js';
import { eventSubject, requestSubject } from './subject.js';
import { findRequestSubject, subjects } from './subjects.js';

describe('subject map', () => {
  it('fills wildcards of an event pattern in order', () => {
    expect(subjects.component.state.subject('vibration-sensor')).toBe('lichen.evt.component.vibration-sensor.state');
  });

  it('refuses tokens that would change the subject', () => {
    expect(() => subjects.component.state.subject('a.b')).toThrow(/not a valid subject token/);
    expect(() => subjects.component.state.subject('>')).toThrow(/not a valid subject token/);
    expect(() => subjects.health.device.subject('')).toThrow(/not a valid subject token/);
  });

  it('builds the concrete subject of a request with and without tokens', () => {
    expect(subjects.health.get.subject()).toBe('lichen.health.get');
    expect(subjects.health.device.pattern).toBe('lichen.health.*.get');
    expect(subjects.health.device.subject('press-7')).toBe('lichen.health.press-7.get');
    expect(() => (subjects.health.device.subject as (...tokens: string[]) => string)()).toThrow(/takes 1 token\(s\), got 0/);
  });

  it('says which requests every instance answers', () => {
    expect(subjects.health.get.fanOut).toBe(true);
    expect(subjects.health.device.fanOut).toBe(false);
  });

  it('finds a request contract by its pattern', () => {
    expect(findRequestSubject('lichen.health.get')).toBe(subjects.health.get);
    expect(findRequestSubject('lichen.health.*.get')).toBe(subjects.health.device);
    expect(findRequestSubject('lichen.nothing')).toBeUndefined();
  });

  it('refuses a pattern with an empty part or a > wildcard', () => {
    expect(() => requestSubject('lichen..get', subjects.health.get.request, subjects.health.get.reply)).toThrow(
      /not a subject pattern/,
    );
    expect(() => eventSubject('lichen.evt.>', subjects.health.heartbeat.event)).toThrow(/not a subject pattern/);
  });
});

describe('subject patterns', () => {
  it('fills only the leading wildcards when asked to', () => {
    expect(fillPattern('lichen.shadow.*.*.get', ['pump'], { partial: true })).toBe('lichen.shadow.pump.*.get');
    expect(fillPattern('lichen.shadow.*.*.get', [], { partial: true })).toBe('lichen.shadow.*.*.get');
    expect(() => fillPattern('lichen.shadow.*.*.get', ['a', 'b', 'c'], { partial: true })).toThrow(/takes 2 token/);
  });

  it('reads the wildcard values of a matching subject', () => {
    expect(wildcardValues('lichen.shadow.*.*.get', 'lichen.shadow.pump.config.get')).toEqual(['pump', 'config']);
    expect(wildcardValues('lichen.health.get', 'lichen.health.get')).toEqual([]);
    expect(wildcardValues('lichen.health.*.get', 'lichen.health.get')).toBeUndefined();
    expect(wildcardValues('lichen.health.*.get', 'lichen.other.x.get')).toBeUndefined();
  });
});

describe('component state names', () => {
  it('lists the Greengrass lifecycle in order', () => {
    expect(componentStateNames).toEqual(['NEW', 'INSTALLED', 'STARTING', 'RUNNING', 'STOPPING', 'FINISHED', 'ERRORED', 'BROKEN']);
    expect(componentStateName(ComponentState.BROKEN)).toBe('BROKEN');
  });
});
