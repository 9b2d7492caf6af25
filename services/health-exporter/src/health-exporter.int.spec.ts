import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bus } from '@lichen/bus';
import { ComponentState, HealthStatus, subjects, type Heartbeat } from '@lichen/contracts';
import { startRuntime, type RuntimeHost } from '@lichen/host';
import { createLogger } from '@lichen/logging';
import { freePort, startNatsServer, startRedisServer, waitFor, type TestNatsServer, type TestRedisServer } from '@lichen/testing';
import { healthExporter } from './health-exporter.service.js';

const logger = createLogger({ service: 'health-exporter-test', level: 'silent' });
const dataDirs: string[] = [];

async function scrape(port: number): Promise<{ text: string; ms: number }> {
  const started = performance.now();
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return { text, ms: performance.now() - started };
}

function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/** The health exporter as `lichen run health-exporter` runs it, on the given servers. */
async function exporter(env: Record<string, string>): Promise<{ runtime: RuntimeHost; port: number }> {
  const port = await freePort();
  const dataDir = await mkdtemp(join(tmpdir(), 'lichen-exporter-'));
  dataDirs.push(dataDir);
  const runtime = await startRuntime({
    services: [healthExporter],
    env: {
      LICHEN_DATA_DIR: dataDir,
      LICHEN_METRICS_HOST: '127.0.0.1',
      LICHEN_METRICS_PORT: String(port),
      LICHEN_HEARTBEAT_INTERVAL: '200ms',
      LICHEN_LOG_LEVEL: 'silent',
      ...env,
    },
  });
  return { runtime, port };
}

afterAll(async () => {
  await Promise.all(dataDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('health exporter on a NATS without monitoring and a Redis', () => {
  let nats: TestNatsServer;
  let redis: TestRedisServer;
  let runtime: RuntimeHost;
  let port: number;
  let bus: Bus;

  beforeAll(async () => {
    [nats, redis] = await Promise.all([startNatsServer({ jetstream: true }), startRedisServer()]);
    ({ runtime, port } = await exporter({
      LICHEN_DEVICE_ID: 'int-device',
      LICHEN_NATS_URL: nats.url,
      LICHEN_NATS_MONITOR_URL: `http://127.0.0.1:${await freePort()}`,
      LICHEN_REDIS_URL: redis.url,
    }));
    bus = Bus.connect({ servers: nats.url, name: 'int-test', logger });
    await bus.ready;
  });

  afterAll(async () => {
    await bus?.close();
    await runtime?.stop();
    await Promise.all([nats?.stop({ removeData: true }), redis?.stop({ removeData: true })]);
  });

  it('publishes a heartbeat on the bus with the device id, versions and a health summary', async () => {
    const heartbeats: Heartbeat[] = [];
    const off = bus.subscribe(subjects.health.heartbeat, (heartbeat) => void heartbeats.push(heartbeat));
    await waitFor(() => heartbeats.find((heartbeat) => heartbeat.deviceId === 'int-device'), { what: 'a heartbeat' });
    off();
    const heartbeat = heartbeats.find((candidate) => candidate.deviceId === 'int-device')!;
    expect(heartbeat.versions).toMatchObject({
      lichen: '0.1.0',
      nodejs: process.versions.node,
      redis: expect.stringMatching(/^\d+\./),
    });
    expect(heartbeat.hostUptimeSeconds).toBeGreaterThan(0);
    expect(heartbeat.summary).toMatchObject({ busConnected: true, redisUp: true, natsUp: false });
    // This NATS has no monitoring port: that costs metrics, not health.
    expect(heartbeat.summary?.problems.join()).not.toMatch(/NATS|bus/);
    expect(heartbeat.summary?.status === HealthStatus.OK).toBe(heartbeat.summary?.problems.length === 0);
  });

  it('answers lichen.health.get, which every device answers, with a fresh heartbeat', async () => {
    const replies = await bus.requestMany(subjects.health.get, {}, { maxWaitMs: 500 });
    expect(replies.map((reply) => ('message' in reply ? reply.message.deviceId : reply.error.message))).toEqual(['int-device']);
  });

  it('answers its own device subject, lichen.health.int-device.get, and no other', async () => {
    const heartbeat = await bus.request(subjects.health.device, {}, { tokens: ['int-device'] });
    expect(heartbeat.deviceId).toBe('int-device');
    expect(heartbeat.summary?.memoryUsedRatio).toBeGreaterThan(0);
    await expect(bus.request(subjects.health.device, {}, { tokens: ['other-device'], timeoutMs: 500 })).rejects.toThrow(
      'no service answers lichen.health.other-device.get',
    );
  });

  it('turns component state events into one gauge per component and state', async () => {
    bus.publish(subjects.component.state, ['int-pump'], { component: 'int-pump', state: ComponentState.RUNNING });
    await waitFor(
      async () => sample((await scrape(port)).text, 'lichen_component_state{component="int-pump",state="RUNNING"}') === 1,
      { what: 'the RUNNING gauge' },
    );
    bus.publish(subjects.component.state, ['int-pump'], {
      component: 'int-pump',
      state: ComponentState.BROKEN,
      previousState: ComponentState.RUNNING,
    });
    await waitFor(
      async () => sample((await scrape(port)).text, 'lichen_component_state{component="int-pump",state="BROKEN"}') === 1,
      { what: 'the BROKEN gauge' },
    );
    const { text } = await scrape(port);
    expect(sample(text, 'lichen_component_state{component="int-pump",state="RUNNING"}')).toBe(0);
    expect((await bus.request(subjects.health.get, {})).summary?.status).toBe(HealthStatus.CRITICAL);

    bus.publish(subjects.component.state, ['int-pump'], { component: 'int-pump', state: ComponentState.FINISHED, removed: true });
    await waitFor(async () => !(await scrape(port)).text.includes('component="int-pump"'), {
      what: 'the component to leave the scrape',
    });
  });

  it('keeps serving when a component event does not decode', async () => {
    bus.connection?.publish('lichen.evt.component.garbage.state', new Uint8Array([0xff, 0x01]));
    bus.publish(subjects.component.state, ['int-valve'], { component: 'int-valve', state: ComponentState.RUNNING });
    await waitFor(
      async () => sample((await scrape(port)).text, 'lichen_component_state{component="int-valve",state="RUNNING"}') === 1,
      { what: 'the valve gauge' },
    );
    expect((await scrape(port)).text).not.toContain('component="garbage"');
  });
});

describe('health exporter when NATS or Redis goes down', () => {
  let nats: TestNatsServer;
  let redis: TestRedisServer;
  let runtime: RuntimeHost;
  let port: number;

  beforeAll(async () => {
    [nats, redis] = await Promise.all([startNatsServer({ jetstream: true, monitoring: true }), startRedisServer({ aof: true })]);
    ({ runtime, port } = await exporter({
      LICHEN_NATS_URL: nats.url,
      LICHEN_NATS_MONITOR_URL: nats.monitorUrl!,
      LICHEN_REDIS_URL: redis.url,
    }));
    await waitFor(async () => sample((await scrape(port)).text, 'lichen_bus_connected') === 1, { what: 'the bus connection' });
  });

  afterAll(async () => {
    await runtime?.stop();
    await Promise.all([nats?.stop({ removeData: true }), redis?.stop({ removeData: true })]);
  });

  it('reports NATS and Redis server stats while they are up', async () => {
    const { text } = await scrape(port);
    expect(sample(text, 'lichen_nats_up')).toBe(1);
    expect(sample(text, 'lichen_nats_connections')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'lichen_nats_in_msgs_total')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'lichen_nats_jetstream_storage_bytes')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'lichen_redis_up')).toBe(1);
    expect(sample(text, 'lichen_redis_aof_enabled')).toBe(1);
    expect(sample(text, 'lichen_redis_aof_last_write_ok')).toBe(1);
  });

  it('reports redis up 0, quickly, with host metrics still flowing, and recovers', async () => {
    await redis.stop();
    await waitFor(async () => sample((await scrape(port)).text, 'lichen_redis_up') === 0, { what: 'redis up 0' });
    const { text, ms } = await scrape(port);
    expect(sample(text, 'lichen_redis_up')).toBe(0);
    expect(sample(text, 'lichen_redis_memory_used_bytes')).toBeUndefined();
    expect(sample(text, 'lichen_host_memory_total_bytes')).toBeGreaterThan(0);
    expect(ms).toBeLessThan(500);
    await redis.restart();
    await waitFor(async () => sample((await scrape(port)).text, 'lichen_redis_up') === 1, {
      what: 'redis up again',
      timeoutMs: 15_000,
    });
  });

  it('reports nats up 0 and the bus disconnected, quickly, and reconnects', async () => {
    await nats.stop();
    await waitFor(
      async () => {
        const { text } = await scrape(port);
        return sample(text, 'lichen_bus_connected') === 0 && sample(text, 'lichen_nats_up') === 0;
      },
      { what: 'the bus to drop' },
    );
    const { text, ms } = await scrape(port);
    expect(sample(text, 'lichen_nats_up')).toBe(0);
    expect(sample(text, 'lichen_nats_in_msgs_total')).toBeUndefined();
    expect(sample(text, 'lichen_host_uptime_seconds')).toBeGreaterThan(0);
    expect(ms).toBeLessThan(500);
    // /healthz tells the truth: the process cannot serve the bus without it.
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(503);
    expect(await health.json()).toEqual({ status: 'unhealthy', problems: [`bus: not connected to NATS at ${nats.url}`] });
    await nats.restart();
    await waitFor(async () => sample((await scrape(port)).text, 'lichen_bus_connected') === 1, {
      what: 'the bus to reconnect',
      timeoutMs: 20_000,
    });
    expect(sample((await scrape(port)).text, 'lichen_nats_up')).toBe(1);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
  });
});
