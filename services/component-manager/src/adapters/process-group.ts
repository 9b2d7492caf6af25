import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A process as the kernel identifies it over time: a pid alone can be reused after the process is gone, the
 * pair (pid, start time) cannot. `startTime` is field 22 of `/proc/<pid>/stat`, clock ticks since boot.
 */
export interface ProcessIdentity {
  readonly pid: number;
  readonly startTime: string;
}

interface ProcStat {
  readonly state: string;
  readonly pgrp: number;
  readonly startTime: string;
}

/**
 * Reads `/proc/<pid>/stat`. The command name (field 2) is in parentheses and may hold spaces or parentheses
 * itself, so fields are counted from the last `)`: state is field 3, pgrp 5, starttime 22.
 */
function readStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const [state, pgrp, startTime] = [fields[0], fields[2], fields[19]];
  if (state === undefined || pgrp === undefined || startTime === undefined) return undefined;
  return { state, pgrp: Number(pgrp), startTime };
}

/** A zombie (`Z`) or dead (`X`) process has finished; only its parent's wait is missing. */
function isFinished(stat: ProcStat): boolean {
  return stat.state === 'Z' || stat.state === 'X';
}

/** The identity of a process that exists now; read it synchronously right after spawning, before it can be reaped. */
export function identify(pid: number): ProcessIdentity | undefined {
  const stat = readStat(pid);
  return stat ? { pid, startTime: stat.startTime } : undefined;
}

/** True while this very process runs: same pid, same start time, not a zombie. */
export function isAlive(process: ProcessIdentity): boolean {
  const stat = readStat(process.pid);
  return stat !== undefined && stat.startTime === process.startTime && !isFinished(stat);
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
  const leaderStat = readStat(leader.pid);
  if (leaderStat && leaderStat.startTime !== leader.startTime) return [];
  const since = BigInt(leader.startTime);
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const stat = readStat(pid);
    if (stat && stat.pgrp === leader.pid && !isFinished(stat) && BigInt(stat.startTime) >= since) members.push(pid);
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
