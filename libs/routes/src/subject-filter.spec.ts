import { describe, expect, it } from 'vitest';
import { coveringFilters, SubjectFilter } from './subject-filter.js';

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

  it('covers the filters whose subjects it all matches', () => {
    const covers = (a: string, b: string) => new SubjectFilter(a).covers(new SubjectFilter(b));
    expect(covers('data.>', 'data.vibration.>')).toBe(true);
    expect(covers('data.>', 'data.*')).toBe(true);
    expect(covers('data.*', 'data.x')).toBe(true);
    expect(covers('>', 'a.b.c')).toBe(true);
    expect(covers('data.*', 'data.>')).toBe(false);
    expect(covers('data.x', 'data.*')).toBe(false);
    expect(covers('data.>', 'data')).toBe(false);
    expect(covers('data.*.x', 'data.*')).toBe(false);
    expect(covers('a.b', 'a.b')).toBe(true);
  });
});

describe('SubjectFilter.intersects', () => {
  it('says whether some subject matches both', () => {
    const intersects = (a: string, b: string) => new SubjectFilter(a).intersects(new SubjectFilter(b));
    expect(intersects('data.*.c', 'data.b.*')).toBe(true);
    expect(intersects('data.>', 'data.x.y')).toBe(true);
    expect(intersects('a.*', 'a.>')).toBe(true);
    expect(intersects('a.b', 'a.c')).toBe(false);
    expect(intersects('a.>', 'a')).toBe(false);
    expect(intersects('a.*', 'a.b.c')).toBe(false);
    expect(intersects('a', 'a')).toBe(true);
  });
});

describe('coveringFilters', () => {
  it('keeps only filters no other one covers, and one of equal ones', () => {
    const texts = (filters: SubjectFilter[]) => filters.map((filter) => filter.text);
    const filters = ['data.vibration.>', 'data.>', 'alerts.*', 'alerts.x', 'data.>', 'other'].map(
      (text) => new SubjectFilter(text),
    );
    expect(texts(coveringFilters(filters))).toEqual(['data.>', 'alerts.*', 'other']);
  });
});
