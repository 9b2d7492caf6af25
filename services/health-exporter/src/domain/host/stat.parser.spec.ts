import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseStat } from './stat.parser.js';

const sample = readFileSync(new URL('./samples/stat.txt', import.meta.url), 'utf8');

describe('parseStat', () => {
  it('reads one entry per cpu, in seconds, without the summed cpu line', () => {
    const { cpus } = parseStat(sample);
    expect(cpus.map((c) => c.cpu)).toEqual(['0', '1']);
    // cpu0 5856 0 1508 42950 61 0 89 3 0 0
    expect(cpus[0]?.seconds).toEqual({
      user: 58.56,
      nice: 0,
      system: 15.08,
      idle: 429.5,
      iowait: 0.61,
      irq: 0,
      softirq: 0.89,
      steal: 0.03,
    });
    expect(cpus[1]?.seconds.user).toBe(83.1);
  });

  it('reads boot time, context switches, forks and the running and blocked counts', () => {
    expect(parseStat(sample)).toMatchObject({
      bootTimeSeconds: 1795693821,
      contextSwitchesTotal: 1517111,
      forksTotal: 9948,
      procsRunning: 2,
      procsBlocked: 0,
    });
  });

  it('skips a malformed line and keeps the others', () => {
    const stat = parseStat('cpu0 10 0 20 300\ncpu1 ten 0 20 300\ncpu2 1 2\nbtime soon\nprocs_running 3\n\n');
    expect(stat.cpus.map((c) => c.cpu)).toEqual(['0']);
    expect(stat.bootTimeSeconds).toBeUndefined();
    expect(stat.procsRunning).toBe(3);
  });

  it('counts modes an old kernel does not print as zero', () => {
    const [cpu] = parseStat('cpu0 100 0 200 300').cpus;
    expect(cpu?.seconds).toMatchObject({ user: 1, system: 2, idle: 3, iowait: 0, steal: 0 });
  });

  it('returns nothing from an empty file', () => {
    expect(parseStat('')).toEqual({ cpus: [] });
  });
});
