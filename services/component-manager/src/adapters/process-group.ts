import { readdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { hasFinished, readProcStat, type ProcessIdentity } from '@lichen/host';

/**
 * True while this very process runs: same pid, same start time, and not a zombie: in a container whose init does
 * not reap, a component's zombie would otherwise look alive forever.
 */
export function isAlive(process: ProcessIdentity): boolean {
  const stat = readProcStat(process.pid);
  return stat !== undefined && stat.startTime === process.startTime && !hasFinished(stat);
}

/**
 * The unfinished processes of the group that `leader` started: members of its process group that started no
 * earlier than the leader (so a group id reused after the whole group is gone is not taken for it). Zombies are
 * skipped: in a container whose init does not reap, an orphan's zombie would otherwise look alive forever.
 */
export function groupMembers(leader: ProcessIdentity): number[] {
  try {
    process.kill(-leader.pid, 0);
  } catch {
    return [];
  }
  const leaderStat = readProcStat(leader.pid);
  if (leaderStat && leaderStat.startTime !== leader.startTime) return [];
  const since = leader.startTime;
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const stat = readProcStat(pid);
    if (stat && stat.pgrp === leader.pid && !hasFinished(stat) && stat.startTime >= since) members.push(pid);
  }
  return members;
}

/** Sends `signal` to the whole group, if anything of it is left; false when nothing was. */
export function signalGroup(leader: ProcessIdentity, signal: NodeJS.Signals): boolean {
  if (groupMembers(leader).length === 0) return false;
  try {
    process.kill(-leader.pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Waits until no process of the group is left: true, or false once `timeoutMs` has passed. */
export async function waitForGroupGone(leader: ProcessIdentity, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (groupMembers(leader).length === 0) return true;
    if (Date.now() >= deadline) return false;
    signal?.throwIfAborted();
    await sleep(Math.min(25, Math.max(1, deadline - Date.now())));
  }
}
