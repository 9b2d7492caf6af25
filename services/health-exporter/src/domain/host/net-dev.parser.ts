import type { NetworkDirectionStats, NetworkInterfaceStats } from './host-snapshot.js';

/** Receive and transmit each have 8 columns; bytes, packets, errs and drop are the first four of each. */
const COLUMNS_PER_DIRECTION = 8;

/**
 * Parses `/proc/net/dev`. The two header lines and any line that does not parse are skipped.
 * Interface names cannot contain `:`, so the first one ends the name; old kernels print a large
 * byte count right after it with no space (`eth0:1234567890`).
 */
export function parseNetDev(text: string): NetworkInterfaceStats[] {
  const interfaces: NetworkInterfaceStats[] = [];
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const device = line.slice(0, colon).trim();
    const columns = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .map(Number);
    if (device === '' || /\s|\|/.test(device)) continue;
    if (columns.length < 2 * COLUMNS_PER_DIRECTION || !columns.every((n) => Number.isFinite(n) && n >= 0)) continue;
    interfaces.push({
      device,
      receive: direction(columns, 0),
      transmit: direction(columns, COLUMNS_PER_DIRECTION),
    });
  }
  return interfaces;
}

function direction(columns: readonly number[], from: number): NetworkDirectionStats {
  const [bytes = 0, packets = 0, errors = 0, drop = 0] = columns.slice(from, from + 4);
  return { bytes, packets, errors, drop };
}
