import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@lichen/logging';
import { startRedisServer, type TestRedisServer } from '@lichen/testing';
import { LocalShadows } from '../domain/shadow/local-shadows.js';
import { CLASSIC_SHADOW } from '../domain/shadow/shadow-address.js';
import type { StoredShadow } from '../domain/shadow/shadow-store.js';
import { RedisShadowStore } from './redis.shadow-store.js';

// The shadow store against a Redis of its own, run as Lichen runs it (append-only file on).
let redis: TestRedisServer;
let raw: Redis;
let store: RedisShadowStore;
const logLines: string[] = [];

const document = (version: number) => ({
  state: { desired: { speed: version } },
  metadata: { desired: { speed: { timestamp: 100 } } },
  version,
  timestamp: 100,
});

beforeAll(async () => {
  redis = await startRedisServer({ aof: true });
  raw = new Redis(redis.url);
  raw.on('error', () => undefined);
  const destination = new Writable({ write: (chunk, _encoding, done) => (logLines.push(String(chunk)), done()) });
  store = new RedisShadowStore(redis.url, createLogger({ service: 'test', level: 'warn', destination }));
});

afterAll(async () => {
  await store?.close();
  raw?.disconnect();
  await redis?.stop({ removeData: true });
});

describe('RedisShadowStore', () => {
  it('keeps each shadow as one JSON key under lichen:shadow:<thing>/<shadow>, replaced and removed whole', async () => {
    const record: StoredShadow = { document: document(1), sync: { cloudVersion: 4 } };
    await store.write({ thing: 'line:3', shadow: 'fan' }, record);
    await store.write({ thing: 'line', shadow: '3:fan' }, { document: document(7) });
    expect(JSON.parse((await raw.get('lichen:shadow:line:3/fan')) ?? 'null')).toEqual(record);
    expect(await raw.pttl('lichen:shadow:line:3/fan')).toBe(-1);
    expect(await store.read({ thing: 'line:3', shadow: 'fan' })).toEqual(record);
    expect((await store.read({ thing: 'line', shadow: '3:fan' }))?.document?.version).toBe(7);

    await store.write({ thing: 'line:3', shadow: 'fan' }, { document: document(2) });
    expect(await store.read({ thing: 'line:3', shadow: 'fan' })).toEqual({ document: document(2) });
    await store.write({ thing: 'line:3', shadow: 'fan' }, undefined);
    expect(await store.read({ thing: 'line:3', shadow: 'fan' })).toBeUndefined();
    expect(await raw.exists('lichen:shadow:line:3/fan')).toBe(0);
  });

  it('lets Redis drop a record at its expiry', async () => {
    const address = { thing: 'press-7', shadow: 'gone' };
    await store.write(address, { deleted: { version: 3, at: Date.now() } }, { expireAt: Date.now() + 300 });
    const ttl = await raw.pttl('lichen:shadow:press-7/gone');
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(300);
    await sleep(400);
    expect(await store.read(address)).toBeUndefined();
  });

  it('lists every record with its address, leaving out (and saying) one that is not JSON', async () => {
    await store.write({ thing: 'press-8', shadow: CLASSIC_SHADOW }, { document: document(1) });
    await raw.set('lichen:shadow:press-9/broken', '{not json');
    await raw.set('lichen:other', 'not a shadow');
    const listed = await store.list();
    expect(listed.map(({ address }) => `${address.thing}/${address.shadow}`).sort()).toEqual(['line/3:fan', 'press-8/$classic']);
    expect(listed.find(({ address }) => address.thing === 'press-8')?.record).toEqual({ document: document(1) });
    expect(logLines.join('')).toContain('lichen:shadow:press-9/broken');
    await raw.del('lichen:shadow:press-9/broken', 'lichen:other');
    await expect(store.read({ thing: 'press-9', shadow: 'broken' })).resolves.toBeUndefined();
  });

  it('keeps what it wrote through a crash of Redis, and serves again once Redis is back', async () => {
    await store.write({ thing: 'press-7', shadow: 'fan' }, { document: document(5) });
    await redis.kill();
    const reading = store.read({ thing: 'press-7', shadow: 'fan' });
    await sleep(300);
    await redis.restart();
    expect(await reading).toEqual({ document: document(5) });
  });

  it('gives LocalShadows one 409 for two updates against the same version', async () => {
    const shadows = new LocalShadows({ store, log: () => undefined });
    const thing = `race-${Date.now()}`;
    await shadows.update(thing, 'fan', { state: { desired: { speed: 1 } } });
    const results = await Promise.all(
      [2, 3, 4].map((speed) => shadows.update(thing, 'fan', { state: { desired: { speed } }, version: 1 })),
    );
    expect(results.map((result) => (result.ok ? result.value.version : result.rejection.code))).toEqual([2, 409, 409]);
    expect((await store.read({ thing, shadow: 'fan' }))?.document?.state.desired).toEqual({ speed: 2 });
  });
});
