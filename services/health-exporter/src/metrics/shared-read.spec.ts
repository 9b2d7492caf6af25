import { describe, expect, it } from 'vitest';
import { SharedRead } from './shared-read.js';

function counting<T>(values: () => Promise<T>) {
  const calls = { count: 0 };
  const load = () => {
    calls.count += 1;
    return values();
  };
  return { calls, load };
}

describe('SharedRead', () => {
  it('gives concurrent callers the one read in flight', async () => {
    const { calls, load } = counting(async () => 'snapshot');
    const shared = new SharedRead(load);
    const results = await Promise.all([shared.get(), shared.get(), shared.get()]);
    expect(results).toEqual(['snapshot', 'snapshot', 'snapshot']);
    expect(calls.count).toBe(1);
  });

  it('hands out a settled result until it is maxAgeMs old, then reads again', async () => {
    let clock = 1_000;
    let n = 0;
    const { calls, load } = counting(async () => ++n);
    const shared = new SharedRead(load, { maxAgeMs: 500, now: () => clock });
    expect(await shared.get()).toBe(1);
    clock += 499;
    expect(await shared.get()).toBe(1);
    clock += 1;
    expect(await shared.get()).toBe(2);
    expect(calls.count).toBe(2);
  });

  it('does not keep a failed read', async () => {
    let fail = true;
    const { calls, load } = counting(async () => {
      if (fail) throw new Error('no /proc');
      return 'ok';
    });
    const shared = new SharedRead(load, { now: () => 0 });
    await expect(Promise.all([shared.get(), shared.get()])).rejects.toThrow('no /proc');
    expect(calls.count).toBe(1);
    fail = false;
    expect(await shared.get()).toBe('ok');
    expect(calls.count).toBe(2);
  });
});
