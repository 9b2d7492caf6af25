import type { LoadAverage } from './host-snapshot.js';

/** Parses `/proc/loadavg` (`0.22 0.26 0.17 4/169 9949`); `undefined` when the three averages are not there. */
export function parseLoadavg(text: string): LoadAverage | undefined {
  const [load1, load5, load15] = text.trim().split(/\s+/).slice(0, 3).map(Number);
  if (load1 === undefined || load5 === undefined || load15 === undefined) return undefined;
  if (![load1, load5, load15].every((n) => Number.isFinite(n) && n >= 0)) return undefined;
  return { load1, load5, load15 };
}
