import { describe, expect, it } from 'vitest';
import { parsePublishSubject, parseSubscribeSubject } from './subject-argument.js';

describe('parsePublishSubject', () => {
  it('takes a subject of plain tokens as it is', () => {
    expect(parsePublishSubject('sensors.press-7.vibration')).toBe('sensors.press-7.vibration');
  });

  it.each([
    ['', 'the subject is empty'],
    ['a..b', '"a..b" has an empty token (two dots, or a dot at an end)'],
    ['a.b.', '"a.b." has an empty token (two dots, or a dot at an end)'],
    ['a b', '"a b" has white space in it'],
    ['a.*', '"a.*" has "*" as a token: a subject to publish on has no wildcards'],
    ['a.>', '"a.>" has ">" as a token: a subject to publish on has no wildcards'],
  ])('refuses %j: %s', (subject, message) => {
    expect(() => parsePublishSubject(subject)).toThrow(message);
  });
});

describe('parseSubscribeSubject', () => {
  it.each(['x.>', '>', 'x.*.y', '*', 'sensors.press-7.vibration'])('takes %j', (subject) => {
    expect(parseSubscribeSubject(subject)).toBe(subject);
  });

  it.each([
    ['', 'the subject is empty'],
    ['x..y', '"x..y" has an empty token'],
    ['x.>.y', '"x.>.y" has ">" as a token: * stands for one whole token, > only for the last'],
    ['x.a*', '"x.a*" has "a*" as a token: * stands for one whole token, > only for the last'],
    ['x\ty', '"x\ty" has white space in it'],
  ])('refuses %j', (subject, message) => {
    expect(() => parseSubscribeSubject(subject)).toThrow(message);
  });
});
