import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** A process found by its working directory, with the name the kernel gives it (`nats-server`). */
export interface FoundProcess {
  pid: number;
  name: string;
}

/** The processes working in `dir` or below it: the servers a Lichen run started in its data folder. */
export function processesUnder(dir: string): FoundProcess[] {
  const found: FoundProcess[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      const cwd = readlinkSync(`/proc/${pid}/cwd`);
      if (cwd === dir || cwd.startsWith(`${dir}/`)) found.push({ pid, name: readFileSync(`/proc/${pid}/comm`, 'utf8').trim() });
    } catch {
      // Gone, or not ours to read.
    }
  }
  return found;
}
