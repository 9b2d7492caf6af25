// What a running process has used so far, read from /proc (Linux only).

import { readFileSync } from 'node:fs';

const CLK_TCK = 100; // USER_HZ: /proc/<pid>/stat times are in 1/100 s on Linux

/** CPU seconds (user + system, all threads) used so far by `pid`. */
export function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Field 2 (comm) may hold spaces and parentheses: fields after the last ')' start at field 3 (state).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK; // fields 14 (utime) and 15 (stime)
}

/** Resident set size of `pid`, in MB (MiB: VmRSS kB / 1024). */
export function rssMb(pid) {
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]) / 1024;
}
