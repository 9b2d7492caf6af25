import { CPU_MODES, type CpuMode, type CpuTimes, type KernelStat } from './host-snapshot.js';

/** `/proc/stat` counts CPU time in USER_HZ ticks, which the kernel fixes at 100 per second for user space. */
const USER_HZ = 100;

const SCALARS = {
  btime: 'bootTimeSeconds',
  ctxt: 'contextSwitchesTotal',
  processes: 'forksTotal',
  procs_running: 'procsRunning',
  procs_blocked: 'procsBlocked',
} as const satisfies Record<string, keyof KernelStat>;

type Scalars = { -readonly [K in (typeof SCALARS)[keyof typeof SCALARS]]?: number };

/**
 * Parses `/proc/stat`: one entry per `cpuN` line (the summed `cpu` line is left out) and the kernel-wide
 * lines Lichen reports. A line that does not parse is skipped.
 */
export function parseStat(text: string): KernelStat {
  const cpus: CpuTimes[] = [];
  const scalars: Scalars = {};
  for (const line of text.split('\n')) {
    const [key, ...fields] = line.trim().split(/\s+/);
    if (key === undefined) continue;
    const cpu = /^cpu(\d+)$/.exec(key)?.[1];
    if (cpu !== undefined) {
      const seconds = parseCpuSeconds(fields);
      if (seconds) cpus.push({ cpu, seconds });
    } else if (Object.hasOwn(SCALARS, key)) {
      const value = Number(fields[0]);
      if (fields.length === 1 && Number.isFinite(value)) scalars[SCALARS[key as keyof typeof SCALARS]] = value;
    }
  }
  return { cpus, ...scalars };
}

/** Old kernels print fewer columns (no `steal` before 2.6.11); a missing trailing mode counts as zero. */
function parseCpuSeconds(fields: readonly string[]): Record<CpuMode, number> | undefined {
  if (fields.length < 4) return undefined;
  const ticks = fields.map(Number);
  if (!ticks.every((t) => Number.isFinite(t) && t >= 0)) return undefined;
  const seconds = {} as Record<CpuMode, number>;
  CPU_MODES.forEach((mode, i) => {
    seconds[mode] = (ticks[i] ?? 0) / USER_HZ;
  });
  return seconds;
}
