import { describe, expect, it } from 'vitest';
import { startNatsServer } from './nats-server.js';
import { startRedisServer } from './redis-server.js';
import { isListening } from './wait-for.js';

describe('throwaway servers', () => {
  it('starts a nats-server with JetStream and monitoring, and stops it', async () => {
    const nats = await startNatsServer({ jetstream: true, monitoring: true });
    const varz = (await (await fetch(`${nats.monitorUrl}/varz`)).json()) as { jetstream?: { config?: unknown } };
    expect(varz.jetstream?.config).toBeDefined();
    await nats.stop({ removeData: true });
    expect(await isListening(nats.port)).toBe(false);
  });

  it('starts a redis-server with AOF on, and restarts it on the same port', async () => {
    const redis = await startRedisServer({ aof: true });
    await redis.restart();
    expect(await isListening(redis.port)).toBe(true);
    await redis.stop({ removeData: true });
  });
});
