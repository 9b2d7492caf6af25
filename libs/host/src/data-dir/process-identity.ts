import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/**
 * A process as the kernel knows it: its pid and its start time (clock ticks after boot, field 22 of
 * /proc/<pid>/stat). The pair names one process: a pid alone may have been reused after a reboot or a crash.
 */
export interface ProcessIdentity {
  pid: number;
  startTime: number;
}

export function identityOf(pid: number): ProcessIdentity | undefined {
  const stat = read(() => readFileSync(`/proc/${pid}/stat`, 'utf8'));
  if (!stat) return undefined;
  // The command name (field 2) may hold spaces and parentheses: count fields after its closing one.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { pid, startTime: Number(fields[19]) };
}

export function isRunning(identity: ProcessIdentity): boolean {
  return identityOf(identity.pid)?.startTime === identity.startTime;
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
