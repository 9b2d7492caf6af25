import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseLoadavg } from './loadavg.parser.js';

const sample = readFileSync(new URL('./samples/loadavg.txt', import.meta.url), 'utf8');

describe('parseLoadavg', () => {
  it('reads the three averages', () => {
    expect(parseLoadavg(sample)).toEqual({ load1: 0.22, load5: 0.26, load15: 0.17 });
  });

  it('returns undefined for a file that does not hold three numbers', () => {
    expect(parseLoadavg('')).toBeUndefined();
    expect(parseLoadavg('0.1 0.2')).toBeUndefined();
    expect(parseLoadavg('0.1 high 0.3 1/2 3')).toBeUndefined();
  });
});
