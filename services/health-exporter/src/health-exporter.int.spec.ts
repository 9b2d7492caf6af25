import type { INestMicroservice } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bus } from '@lichen/bus';
import { ComponentState, HealthStatus, subjects, type Heartbeat } from '@lichen/contracts';
import { createLogger } from '@lichen/logging';
import { freePort, startNatsServer, startRedisServer, waitFor, type TestNatsServer, type TestRedisServer } from '@lichen/testing';
import { loadExporterConfig } from './config.js';
import { startHealthExporter } from './health-exporter.app.js';

const logger = createLogger({ service: 'health-exporter-test', level: 'silent' });

async function scrape(port: number): Promise<{ text: string; ms: number }> {
  const started = performance.now();
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return { text, ms: performance.now() - started };
}

function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

async function exporter(env: Record<string, string>): Promise<{ app: INestMicroservice; port: number }> {
  const port = await freePort();
  const config = loadExporterConfig({
    LICHEN_METRICS_HOST: '127.0.0.1',
    LICHEN_METRICS_PORT: String(port),
    LICHEN_HEARTBEAT_INTERVAL: '200ms',
    ...env,
  });
  return { app: await startHealthExporter(config, logger), port };
}

describe("health exporter on the machine's NATS and Redis", () => {
  let app: INestMicroservice;
  let port: number;
  let bus: Bus;

  beforeAll(async () => {
    ({ app, port } = await exporter({
      LICHEN_DEVICE_ID: 'int-device',
      LICHEN_NATS_MONITOR_URL: `http://127.0.0.1:${await freePort()}`,
    }));
    bus = Bus.connect({ servers: 'nats://127.0.0.1:4222', name: 'int-test', logger });
    await bus.ready;
  });

  afterAll(async () => {
    await bus?.close();
    await app?.close();
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
    // The machine's NATS has no monitoring port: that costs metrics, not health.
    expect(heartbeat.summary?.problems.join()).not.toMatch(/NATS|bus/);
    expect(heartbeat.summary?.status === HealthStatus.OK).toBe(heartbeat.summary?.problems.length === 0);
  });

  it('answers lichen.health.get with a fresh heartbeat', async () => {
    const heartbeat = await bus.request(subjects.health.get, {});
    expect(heartbeat.deviceId).toBe('int-device');
    expect(heartbeat.summary?.memoryUsedRatio).toBeGreaterThan(0);
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
  let app: INestMicroservice;
  let port: number;

  beforeAll(async () => {
    [nats, redis] = await Promise.all([startNatsServer({ jetstream: true, monitoring: true }), startRedisServer({ aof: true })]);
    ({ app, port } = await exporter({
      LICHEN_NATS_URL: nats.url,
      LICHEN_NATS_MONITOR_URL: nats.monitorUrl!,
      LICHEN_REDIS_URL: redis.url,
    }));
    await waitFor(async () => sample((await scrape(port)).text, 'lichen_bus_connected') === 1, { what: 'the bus connection' });
  });

  afterAll(async () => {
    await app?.close();
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
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    await nats.restart();
    await waitFor(async () => sample((await scrape(port)).text, 'lichen_bus_connected') === 1, {
      what: 'the bus to reconnect',
      timeoutMs: 20_000,
    });
    expect(sample((await scrape(port)).text, 'lichen_nats_up')).toBe(1);
  });
});
