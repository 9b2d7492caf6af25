import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseUptime } from './uptime.parser.js';

const sample = readFileSync(new URL('./samples/uptime.txt', import.meta.url), 'utf8');

describe('parseUptime', () => {
  it('reads the seconds since boot', () => {
    expect(parseUptime(sample)).toBe(507.29);
  });

  it('returns undefined for an empty or garbled file', () => {
    expect(parseUptime('')).toBeUndefined();
    expect(parseUptime('\n')).toBeUndefined();
    expect(parseUptime('up 3 days')).toBeUndefined();
  });
});
