import { describe, expect, it } from 'vitest';
import { redrawRegion } from './live-region.format.js';

describe('redrawRegion', () => {
  it('writes the first frame as it is', () => {
    expect(redrawRegion(0, ['deployment line-3 r7 (01JD7Q3M2X)  QUEUED'])).toBe('deployment line-3 r7 (01JD7Q3M2X)  QUEUED\n');
  });

  it('climbs back over the last frame and clears it before writing the next', () => {
    expect(redrawRegion(3, ['a', 'b'])).toBe('\u001b[3A\r\u001b[Ja\nb\n');
  });

  it('cuts lines to the terminal width so that none wraps', () => {
    expect(redrawRegion(0, ['0123456789', 'short'], 8)).toBe('012345…\nshort\n');
  });
});
