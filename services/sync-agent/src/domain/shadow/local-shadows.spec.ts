import { describe, expect, it } from 'vitest';
import { MemoryShadowStore } from '../../../test/fakes/memory-shadow-store.js';
import { DELETED_VERSION_KEPT_MS, LocalShadows } from './local-shadows.js';
import { CLASSIC_SHADOW } from './shadow-address.js';
import type { ShadowChange } from './shadow-change.js';

function setup(start = 1_700_000_000_000) {
  const store = new MemoryShadowStore();
  const clock = { now: start };
  const logged: { event: string; fields: Record<string, unknown> }[] = [];
  const shadows = new LocalShadows({ store, now: () => clock.now, log: (event, fields) => logged.push({ event, fields }) });
  const changes: ShadowChange[] = [];
  shadows.onChange((change) => changes.push(change));
  return { store, clock, shadows, changes, logged };
}

const ok = <T>(result: { ok: true; value: T } | { ok: false; rejection: { code: number; message: string } }): T => {
  if (!result.ok) throw new Error(`rejected ${result.rejection.code}: ${result.rejection.message}`);
  return result.value;
};

describe('LocalShadows', () => {
  it('makes a shadow on the first update, stores it, returns it on get and tells the listeners', async () => {
    const { shadows, store, changes } = setup();
    const made = ok(await shadows.update('press-7', 'fan', { state: { desired: { speed: 3 } }, clientToken: 'c-1' }));
    expect(made).toMatchObject({ state: { desired: { speed: 3 } }, version: 1, timestamp: 1_700_000_000 });
    expect(store.stored('press-7', 'fan')).toEqual({ document: made });
    expect(ok(await shadows.get('press-7', 'fan'))).toEqual(made);
    expect(changes).toEqual([
      {
        thing: 'press-7',
        shadow: 'fan',
        previous: undefined,
        current: made,
        update: { state: { desired: { speed: 3 } }, clientToken: 'c-1' },
        clientToken: 'c-1',
        origin: 'local',
        timestamp: 1_700_000_000,
      },
    ]);
    const next = ok(await shadows.update('press-7', 'fan', { state: { reported: { speed: 3 } } }, 'cloud'));
    expect(next.version).toBe(2);
    expect(changes[1]).toMatchObject({ previous: made, current: next, origin: 'cloud', clientToken: undefined });
  });

  it('says 404 for a shadow that does not exist, and 400 for names AWS IoT would refuse', async () => {
    const { shadows, store } = setup();
    expect(await shadows.get('press-7', 'fan')).toEqual({
      ok: false,
      rejection: { code: 404, message: "No shadow exists with name: 'press-7/fan'" },
    });
    expect(await shadows.delete('press-7', CLASSIC_SHADOW, {})).toEqual({
      ok: false,
      rejection: { code: 404, message: "No shadow exists with name: 'press-7'" },
    });
    const rejections = await Promise.all([
      shadows.update('t'.repeat(129), 'fan', { state: {} }),
      shadows.update('press-7', 's'.repeat(65), { state: {} }),
      shadows.update('press-7', '$other', { state: {} }),
      shadows.get('press 7', 'fan'),
      shadows.get('press-7', 'fan', { clientToken: 'x'.repeat(65) }),
      shadows.delete('press-7', 'fan', { clientToken: 3 }),
    ]);
    expect(rejections.map((result) => !result.ok && result.rejection)).toEqual([
      { code: 400, message: 'the thing name is longer than 128 bytes' },
      { code: 400, message: 'the shadow name is longer than 64 bytes' },
      { code: 400, message: 'the shadow name "$other" may hold only letters, digits, ":", "_" and "-"' },
      { code: 400, message: 'the thing name "press 7" may hold only letters, digits, ":", "_" and "-"' },
      { code: 400, message: 'clientToken is longer than 64 bytes' },
      { code: 400, message: 'clientToken must be a string' },
    ]);
    expect(store.writes).toBe(0);
    expect(ok(await shadows.update('t'.repeat(128), 's'.repeat(64), { state: {} })).version).toBe(1);
    expect(ok(await shadows.update('press-7', CLASSIC_SHADOW, { state: {} })).version).toBe(1);
  });

  it('applies requests to one shadow one at a time: two updates against the same version give one 409', async () => {
    const { shadows, store } = setup();
    ok(await shadows.update('press-7', 'fan', { state: { desired: { speed: 1 } } }));
    const results = await Promise.all([
      shadows.update('press-7', 'fan', { state: { desired: { speed: 2 } }, version: 1 }),
      shadows.update('press-7', 'fan', { state: { desired: { speed: 3 } }, version: 1 }),
    ]);
    expect(results.map((result) => (result.ok ? result.value.version : result.rejection.code))).toEqual([2, 409]);
    expect(ok(await shadows.get('press-7', 'fan')).state.desired).toEqual({ speed: 2 });
    expect(store.writes).toBe(2);
  });

  it('keeps serving a shadow after the store failed one request', async () => {
    const { shadows, store } = setup();
    const read = store.read.bind(store);
    store.read = async () => {
      store.read = read;
      throw new Error('redis went away');
    };
    await expect(shadows.update('press-7', 'fan', { state: { reported: { on: true } } })).rejects.toThrow('redis went away');
    expect(ok(await shadows.update('press-7', 'fan', { state: { reported: { on: true } } })).version).toBe(1);
  });

  it('refuses what applyShadowUpdate refuses, storing and telling nothing', async () => {
    const { shadows, store, changes } = setup();
    const big = await shadows.update('press-7', 'fan', { state: { reported: { blob: 'x'.repeat(9_000) } } });
    expect(!big.ok && big.rejection.code).toBe(413);
    const version = await shadows.update('press-7', 'fan', { state: {}, version: 4 });
    expect(!version.ok && version.rejection).toEqual({ code: 409, message: 'Version conflict' });
    expect([store.writes, changes.length]).toEqual([0, 0]);
  });

  it('deletes a shadow, refusing a stale version, and one made again continues its versions for 48 hours', async () => {
    const { shadows, store, changes, clock } = setup();
    for (let speed = 1; speed <= 3; speed++) ok(await shadows.update('press-7', 'fan', { state: { desired: { speed } } }));
    const stale = await shadows.delete('press-7', 'fan', { version: 2 });
    expect(!stale.ok && stale.rejection).toEqual({ code: 409, message: 'Version conflict' });
    clock.now += 5_000;
    expect(ok(await shadows.delete('press-7', 'fan', { version: 3, clientToken: 'bye' }))).toEqual({
      version: 3,
      timestamp: 1_700_000_005,
    });
    expect(changes.at(-1)).toMatchObject({ previous: { version: 3 }, clientToken: 'bye', origin: 'local' });
    expect(changes.at(-1)?.current).toBeUndefined();
    expect((await shadows.get('press-7', 'fan')).ok).toBe(false);
    expect(await shadows.list()).toEqual([]);
    expect(store.stored('press-7', 'fan')).toEqual({
      deleted: { version: 3, at: clock.now },
      expireAt: clock.now + DELETED_VERSION_KEPT_MS,
    });

    const early = await shadows.update('press-7', 'fan', { state: { desired: { speed: 1 } }, version: 0 });
    expect(!early.ok && early.rejection.code).toBe(409);
    const again = ok(await shadows.update('press-7', 'fan', { state: { desired: { speed: 1 } }, version: 3 }));
    expect(again).toMatchObject({ state: { desired: { speed: 1 } }, version: 4 });
    expect(changes.at(-1)?.previous).toBeUndefined();
    expect(store.stored('press-7', 'fan')).toEqual({ document: again });

    ok(await shadows.delete('press-7', 'fan'));
    clock.now += DELETED_VERSION_KEPT_MS;
    expect(ok(await shadows.update('press-7', 'fan', { state: {} })).version).toBe(1);
  });

  it("keeps the cloud sync's state beside the shadow, through a delete, until it is cleared", async () => {
    const { shadows, store, clock } = setup();
    ok(await shadows.update('press-7', 'fan', { state: { reported: { on: true } } }));
    expect(await shadows.readSyncState('press-7', 'fan')).toBeUndefined();
    await shadows.writeSyncState('press-7', 'fan', { base: { on: true }, cloudVersion: 12 });
    expect(await shadows.readSyncState('press-7', 'fan')).toEqual({ base: { on: true }, cloudVersion: 12 });
    ok(await shadows.update('press-7', 'fan', { state: { reported: { on: false } } }));
    expect(await shadows.readSyncState('press-7', 'fan')).toEqual({ base: { on: true }, cloudVersion: 12 });

    ok(await shadows.delete('press-7', 'fan'));
    expect(await shadows.listSynced()).toEqual([{ thing: 'press-7', shadow: 'fan' }]);
    expect(store.stored('press-7', 'fan')).toEqual({
      deleted: { version: 2, at: clock.now },
      sync: { base: { on: true }, cloudVersion: 12 },
    });
    await shadows.writeSyncState('press-7', 'fan', undefined);
    expect(store.stored('press-7', 'fan')).toEqual({
      deleted: { version: 2, at: clock.now },
      expireAt: clock.now + DELETED_VERSION_KEPT_MS,
    });
    clock.now += DELETED_VERSION_KEPT_MS;
    await shadows.writeSyncState('press-7', 'gone', null);
    await shadows.writeSyncState('press-7', 'gone', undefined);
    expect(store.stored('press-7', 'gone')).toBeUndefined();
    await expect(shadows.readSyncState('press-7', 'no/slash')).rejects.toThrow(/only letters/);
  });

  it('lists the shadows that exist, by thing then name', async () => {
    const { shadows } = setup();
    for (const [thing, shadow] of [
      ['press-8', 'fan'],
      ['press-7', 'light'],
      ['press-7', CLASSIC_SHADOW],
      ['press-7', 'fan'],
    ] as const) {
      ok(await shadows.update(thing, shadow, { state: { reported: { on: true } } }));
    }
    ok(await shadows.delete('press-7', 'light'));
    expect(await shadows.list()).toEqual([
      { thing: 'press-7', shadow: CLASSIC_SHADOW },
      { thing: 'press-7', shadow: 'fan' },
      { thing: 'press-8', shadow: 'fan' },
    ]);
  });

  it('tells every listener even when one throws, says so, and stops telling one that unsubscribed', async () => {
    const { shadows, changes, logged } = setup();
    const stop = shadows.onChange(() => {
      throw new Error('listener bug');
    });
    ok(await shadows.update('press-7', 'fan', { state: {} }));
    expect(changes).toHaveLength(1);
    expect(logged).toEqual([
      { event: 'shadow change listener failed', fields: { thing: 'press-7', shadow: 'fan', reason: 'listener bug' } },
    ]);
    stop();
    ok(await shadows.update('press-7', 'fan', { state: {} }));
    expect([changes.length, logged.length]).toEqual([2, 1]);
  });

  it('settles once every request asked for has been applied', async () => {
    const { shadows, store } = setup();
    void shadows.update('press-7', 'fan', { state: { reported: { a: 1 } } });
    void shadows.update('press-7', 'light', { state: { reported: { a: 1 } } });
    void shadows.update('press-7', 'fan', { state: { reported: { a: 2 } } });
    await shadows.settled();
    expect(store.writes).toBe(3);
  });
});
