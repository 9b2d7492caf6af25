import { describe, expect, it } from 'vitest';
import { parseThermalTemp } from './thermal.parser.js';

describe('parseThermalTemp', () => {
  it('turns millidegrees into degrees Celsius', () => {
    expect(parseThermalTemp('45000\n')).toBe(45);
    expect(parseThermalTemp('27800')).toBe(27.8);
    expect(parseThermalTemp('-5500\n')).toBe(-5.5);
  });

  it('returns undefined when the file holds no integer', () => {
    expect(parseThermalTemp('')).toBeUndefined();
    expect(parseThermalTemp('n/a\n')).toBeUndefined();
  });
});
