import { describe, expect, it } from 'vitest';
import { cloudTopicProblem, subjectProblem } from './subject-syntax.js';

describe('subjectProblem', () => {
  it.each(['data.vibration.>', 'lichen.components.vibration-sensor.>', 'data.*.rms', '>', 'data.alerts'])(
    'takes the filter %s',
    (subject) => {
      expect(subjectProblem(subject, { wildcards: true })).toBeUndefined();
    },
  );

  it.each([
    ['', 'a subject filter cannot be empty'],
    ['data..x', '"data..x" is not a valid subject filter: it has an empty token (leading, trailing or double dot)'],
    ['data.', '"data." is not a valid subject filter: it has an empty token (leading, trailing or double dot)'],
    ['data.>.rms', '"data.>.rms" is not a valid subject filter: > must be the last token'],
    ['data.vib*', '"data.vib*" is not a valid subject filter: a wildcard (* or >) must be a whole token'],
    ['data vibration', '"data vibration" is not a valid subject filter: it holds whitespace'],
  ])('refuses the filter "%s"', (subject, reason) => {
    expect(subjectProblem(subject, { wildcards: true })).toBe(reason);
  });

  it('refuses wildcards in a subject to publish to', () => {
    expect(subjectProblem('alerts.high', { wildcards: false })).toBeUndefined();
    expect(subjectProblem('alerts.*', { wildcards: false })).toBe(
      '"alerts.*" is a filter; a subject to publish to cannot hold * or >',
    );
  });
});

describe('cloudTopicProblem', () => {
  it('takes a topic whose levels can be subject tokens', () => {
    expect(cloudTopicProblem('factory/line-3/alerts')).toBeUndefined();
  });

  it.each([
    ['', 'a cloud topic cannot be empty (cloud:<topic>, e.g. cloud:factory/line-3/alerts)'],
    ['factory//alerts', '"factory//alerts" is not a valid cloud topic: it has an empty level (leading, trailing or double /)'],
    ['factory/line.3', '"factory/line.3" is not a valid cloud topic: levels cannot hold whitespace, ".", "*", ">", "+" or "#"'],
    ['factory/#', '"factory/#" is not a valid cloud topic: levels cannot hold whitespace, ".", "*", ">", "+" or "#"'],
  ])('refuses "%s"', (topic, reason) => {
    expect(cloudTopicProblem(topic)).toBe(reason);
  });
});
