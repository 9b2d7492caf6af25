import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/**
 * A process as the kernel knows it: its pid and its start time (clock ticks after boot, field 22 of
 * /proc/<pid>/stat). The pair names one process: a pid alone may have been reused after a reboot or a crash.
 */
export interface ProcessIdentity {
  pid: number;
  startTime: number;
}

/** What `/proc/<pid>/stat` says of a process: its state letter, its process group and its start time. */
export interface ProcStat {
  readonly state: string;
  readonly pgrp: number;
  readonly startTime: number;
}

/**
 * Reads `/proc/<pid>/stat`. The command name (field 2) is in parentheses and may hold spaces and parentheses
 * itself, so fields are counted from the last `)`: state is field 3, pgrp 5, starttime 22.
 */
export function readProcStat(pid: number): ProcStat | undefined {
  const stat = read(() => readFileSync(`/proc/${pid}/stat`, 'utf8'));
  if (!stat) return undefined;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const [state, pgrp, startTime] = [fields[0], fields[2], fields[19]];
  if (state === undefined || pgrp === undefined || startTime === undefined) return undefined;
  return { state, pgrp: Number(pgrp), startTime: Number(startTime) };
}

/** A zombie (`Z`) or dead (`X`) process has finished; only its parent's wait is missing. */
export function hasFinished(stat: ProcStat): boolean {
  return stat.state === 'Z' || stat.state === 'X';
}

export function identityOf(pid: number): ProcessIdentity | undefined {
  const stat = readProcStat(pid);
  return stat ? { pid, startTime: stat.startTime } : undefined;
}

/** True while this process exists (a zombie included, until its parent reaps it): same pid, same start time. */
export function isRunning(identity: ProcessIdentity): boolean {
  return readProcStat(identity.pid)?.startTime === identity.startTime;
}

/** The processes named `name` whose working directory is exactly `dir`. */
export function processesIn(dir: string, name: string): number[] {
  const found: number[] = [];
  for (const entry of read(() => readdirSync('/proc')) ?? []) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    if (read(() => readFileSync(`/proc/${pid}/comm`, 'utf8').trim()) !== name) continue;
    if (read(() => readlinkSync(`/proc/${pid}/cwd`)) === dir) found.push(pid);
  }
  return found;
}

function read<T>(look: () => T): T | undefined {
  try {
    return look();
  } catch {
    return undefined;
  }
}
