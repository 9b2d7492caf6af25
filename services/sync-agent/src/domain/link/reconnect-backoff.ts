/** How long to wait before reconnecting: from `minMs`, doubling with each failed attempt, at most `maxMs`. */
export interface BackoffBounds {
  readonly minMs: number;
  readonly maxMs: number;
}

/**
 * The wait before attempt `failures + 1`, jittered between half and all of the doubled wait, so a fleet that lost
 * its broker at the same moment does not come back at the same moment. `random` is in [0, 1).
 */
export function reconnectDelay(failures: number, bounds: BackoffBounds, random: () => number = Math.random): number {
  const ceiling = Math.min(bounds.maxMs, bounds.minMs * 2 ** Math.min(failures, 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
