import { describe, expect, it } from 'vitest';
import { formatSpan } from './time.format.js';

describe('formatSpan', () => {
  it('gives the two largest units', () => {
    expect(
      [999, 45_000, 750_000, 900_000, 7_200_000, 3 * 3_600_000 + 240_000, 2 * 86_400_000 + 3 * 3_600_000 + 5].map(formatSpan),
    ).toEqual(['0s', '45s', '12m30s', '15m', '2h', '3h4m', '2d3h']);
  });
});
