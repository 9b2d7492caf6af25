import { spawnSync } from 'node:child_process';
import { Writable } from 'node:stream';
import { Gauge } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '@lichen/logging';
import { requireCommand } from '@lichen/testing';
import { MetricsServer, type HealthCheck } from './metrics-server.js';
import { createMetricsRegistry } from './registry.js';

const quiet = createLogger({ service: 'test', destination: new Writable({ write: (_c, _e, done) => done() }) });
let server: MetricsServer | undefined;

async function serve(checks?: Record<string, HealthCheck>) {
  const registry = createMetricsRegistry();
  new Gauge({ name: 'lichen_test_value', help: 'A value for the test.', registers: [registry] }).set(42);
  server = new MetricsServer({ registry, host: '127.0.0.1', port: 0, logger: quiet, checks });
  return `http://127.0.0.1:${await server.start()}`;
}

afterEach(async () => server?.stop());

describe('MetricsServer', () => {
  it('serves the registry in Prometheus text format with process metrics under lichen_', async () => {
    const response = await fetch(`${await serve()}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    expect(text).toContain('lichen_test_value 42');
    expect(text).toMatch(/^lichen_process_cpu_seconds_total /m);
  });

  it('serves process metrics that promtool check metrics accepts', async () => {
    const text = await (await fetch(`${await serve()}/metrics`)).text();
    expect(text).toMatch(/^lichen_nodejs_active_resources\{type="\w+"\} \d+$/m);
    expect(text).not.toContain('_active_resources_total');
    const check = spawnSync(requireCommand('promtool', 'prometheus'), ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(check.error).toBeUndefined();
    expect(`${check.stdout}${check.stderr}`).toBe('');
  });

  it('answers /healthz 200 when every check passes and 503 naming the failing one', async () => {
    const redis: { problem?: string } = {};
    const base = await serve({ bus: () => undefined, redis: async () => redis.problem });
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    redis.problem = 'connection refused';
    const response = await fetch(`${base}/healthz`);
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ status: 'unhealthy', problems: ['redis: connection refused'] });
  });

  it('names a check that throws as failing, rather than answering 500', async () => {
    const base = await serve({
      disk: () => {
        throw new Error('statfs hung');
      },
    });
    const response = await fetch(`${base}/healthz`);
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ status: 'unhealthy', problems: ['disk: check failed: statfs hung'] });
  });

  it('says which address it cannot listen on when the port is taken', async () => {
    const base = await serve();
    const taken = Number(new URL(base).port);
    const second = new MetricsServer({ registry: createMetricsRegistry(), host: '127.0.0.1', port: taken, logger: quiet });
    await expect(second.start()).rejects.toThrow(`cannot serve metrics on 127.0.0.1:${taken}: the port is in use`);
  });

  it('answers 404 elsewhere', async () => {
    expect((await fetch(`${await serve()}/`)).status).toBe(404);
  });
});
