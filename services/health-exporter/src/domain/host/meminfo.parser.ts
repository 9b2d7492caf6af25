import type { MemoryInfo } from './host-snapshot.js';

const FIELDS = {
  MemTotal: 'totalBytes',
  MemFree: 'freeBytes',
  MemAvailable: 'availableBytes',
  Buffers: 'buffersBytes',
  Cached: 'cachedBytes',
  SwapTotal: 'swapTotalBytes',
  SwapFree: 'swapFreeBytes',
} as const satisfies Record<string, keyof MemoryInfo>;

/**
 * Parses `/proc/meminfo` into bytes. The kernel writes `kB` and means KiB. A line that is missing
 * leaves its field out; a line that does not parse is skipped.
 */
export function parseMeminfo(text: string): MemoryInfo {
  const memory: { -readonly [K in keyof MemoryInfo]: MemoryInfo[K] } = {};
  for (const line of text.split('\n')) {
    const match = /^([\w()]+):\s+(\d+)(?:\s+(kB))?\s*$/.exec(line);
    if (!match?.[1] || !Object.hasOwn(FIELDS, match[1])) continue;
    const value = Number(match[2]);
    memory[FIELDS[match[1] as keyof typeof FIELDS]] = match[3] === 'kB' ? value * 1024 : value;
  }
  return memory;
}
