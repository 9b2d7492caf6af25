import type { CursorStore, Spool } from './spool.js';

/** What waits in the spool for the link. */
export interface SpoolBacklog {
  /** Messages captured and not yet confirmed by the broker. */
  readonly depth: number;
  /** Bytes the spool holds (forwarded messages too, until its bounds drop them). */
  readonly bytes: number;
  /** Age of the oldest message not yet confirmed; 0 when none waits. */
  readonly oldestAgeMs: number;
}

/**
 * Reads the backlog from the spool and the forwarding floor (the forwarder's own position while it is on this
 * spool, else the saved cursor; the spool's start when that belongs to an older spool).
 */
export async function spoolBacklog(
  spool: Spool,
  cursors: CursorStore,
  live: { identity: string; floor: number } | undefined,
  now: number = Date.now(),
): Promise<SpoolBacklog> {
  const state = await spool.state();
  let floor = live?.identity === state.identity ? live.floor : undefined;
  if (floor === undefined) {
    const saved = await cursors.load();
    floor = saved?.identity === state.identity ? saved.floor : 0;
  }
  const oldest = Math.max(floor + 1, state.firstSeq);
  const depth = state.messages === 0 ? 0 : Math.max(0, state.lastSeq - oldest + 1);
  const capturedAt = depth ? await spool.capturedAt(oldest) : undefined;
  return { depth, bytes: state.bytes, oldestAgeMs: capturedAt === undefined ? 0 : Math.max(0, now - capturedAt) };
}
