import { describe, expect, it } from 'vitest';
import { SubjectFilter } from './subject-filter.js';

const split = (subject: string) => subject.split('.');

describe('SubjectFilter', () => {
  it('matches literal, * and > tokens and captures the wildcards in order', () => {
    expect(new SubjectFilter('data.vibration').match(split('data.vibration'))).toEqual([]);
    expect(new SubjectFilter('data.*.rms').match(split('data.press-7.rms'))).toEqual(['press-7']);
    expect(new SubjectFilter('data.*.>').match(split('data.press-7.a.b'))).toEqual(['press-7', 'a.b']);
    expect(new SubjectFilter('>').match(split('a'))).toEqual(['a']);
  });

  it('does not match other subjects, nor > without a token left', () => {
    expect(new SubjectFilter('data.*.rms').match(split('data.press-7.peak'))).toBeUndefined();
    expect(new SubjectFilter('data.*').match(split('data.a.b'))).toBeUndefined();
    expect(new SubjectFilter('data.>').match(split('data'))).toBeUndefined();
    expect(new SubjectFilter('data.vibration').match(split('data'))).toBeUndefined();
  });

  it('counts its wildcards', () => {
    expect(new SubjectFilter('a.*.b.>').wildcards).toBe(2);
    expect(new SubjectFilter('a.b').wildcards).toBe(0);
  });
});
