import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseMeminfo } from './meminfo.parser.js';

const sample = readFileSync(new URL('./samples/meminfo.txt', import.meta.url), 'utf8');

describe('parseMeminfo', () => {
  it('reads the reported fields in bytes (kB means KiB)', () => {
    expect(parseMeminfo(sample)).toEqual({
      totalBytes: 24683652 * 1024,
      freeBytes: 23287652 * 1024,
      availableBytes: 23959280 * 1024,
      buffersBytes: 7128 * 1024,
      cachedBytes: 871500 * 1024,
      swapTotalBytes: 0,
      swapFreeBytes: 0,
    });
  });

  it('does not mistake SwapCached or Active(file) for the fields it reports', () => {
    const memory = parseMeminfo('SwapCached:  5 kB\nActive(file):  7 kB\nSwapTotal:  2097148 kB\nSwapFree:  1048576 kB\n');
    expect(memory).toEqual({ swapTotalBytes: 2097148 * 1024, swapFreeBytes: 1048576 * 1024 });
  });

  it('leaves swap out when the kernel prints no Swap lines', () => {
    const memory = parseMeminfo('MemTotal:  1024 kB\nMemFree:  512 kB\nBuffers:  0 kB\nCached:  128 kB\n');
    expect(memory).toEqual({ totalBytes: 1048576, freeBytes: 524288, buffersBytes: 0, cachedBytes: 131072 });
    expect('swapTotalBytes' in memory).toBe(false);
  });

  it('skips a malformed line and keeps the others', () => {
    expect(parseMeminfo('MemTotal: lots kB\nMemFree:\nCached:  4 kB\nfoo\n')).toEqual({ cachedBytes: 4096 });
  });
});
