import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subjects } from '@lichen/contracts';
import { createLogger } from '@lichen/logging';
import { startNatsServer, waitFor, type TestNatsServer } from '@lichen/testing';
import { Bus } from './bus.js';

const fixture = (name: string) => fileURLToPath(new URL(`../test-fixtures/${name}`, import.meta.url));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const lines: string[] = [];
const logger = createLogger({
  service: 'shutdown-test',
  destination: new Writable({ write: (chunk, _e, done) => (lines.push(chunk.toString()), done()) }),
});
let nats: TestNatsServer;
let client: Bus;

/** Runs a fixture on the built library and resolves once it prints its first line. */
async function runFixture(
  name: string,
  ...args: string[]
): Promise<{ child: ChildProcess; output: () => string; exited: Promise<number | null> }> {
  if (!existsSync(fileURLToPath(new URL('../dist/index.js', import.meta.url)))) {
    throw new Error('libs/bus/dist is missing: run `npx nx run bus:build` (bus:test:int does it first)');
  }
  const child = spawn(process.execPath, [fixture(name), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await waitFor(() => output.includes('\n'), { what: `${name} to start`, timeoutMs: 15_000 });
  return { child, output: () => output, exited };
}

beforeAll(async () => {
  nats = await startNatsServer({ jetstream: true });
  client = Bus.connect({ servers: nats.url, name: 'caller', logger });
  await client.ready;
});

afterAll(async () => {
  await client?.close();
  await nats?.stop({ removeData: true });
});

describe('shutting down', () => {
  it('answers a request in flight when SIGTERM comes, takes no new ones, and exits 0', async () => {
    const { child, output, exited } = await runFixture('slow-server.mjs', nats.url, '800');
    expect(output()).toBe('ready\n');
    const inFlight = client.request(subjects.health.device, {}, { tokens: ['slow'], timeoutMs: 5_000 });
    await sleep(100);
    child.kill('SIGTERM');
    await sleep(100);
    const late = await client
      .request(subjects.health.device, {}, { tokens: ['slow'], timeoutMs: 2_000 })
      .catch((e: unknown) => e);
    expect((await inFlight).deviceId).toBe('slow');
    expect(late).toMatchObject({ code: 'BUS_NO_RESPONDERS' });
    expect(await exited).toBe(0);
    expect(output()).toBe('ready\n');
  });

  it('stopServing waits for handlers in flight, and close() after it', async () => {
    const server = Bus.connect({ servers: nats.url, name: 'stopping', logger });
    await server.ready;
    let finished = false;
    server.serve(subjects.health.get, async () => {
      await sleep(300);
      finished = true;
      return { deviceId: 'finished' };
    });
    await server.connection?.flush();
    const reply = client.request(subjects.health.get, {});
    await sleep(50);
    await server.stopServing();
    expect(finished).toBe(true);
    expect((await reply).deviceId).toBe('finished');
    const off = server.subscribeRaw('after.stop', () => undefined);
    await off();
    expect(lines.join('')).toContain('not subscribing: the bus is stopping');
    await server.close();
    expect(server.connected).toBe(false);
  });

  it('logs a reply that can no longer be sent, with its subject, and rejects nothing', async () => {
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown) => rejections.push(reason);
    process.on('unhandledRejection', onRejection);
    const server = Bus.connect({ servers: nats.url, name: 'cut-off', logger });
    await server.ready;
    let release: () => void = () => undefined;
    server.serve(subjects.health.device, () => new Promise((resolve) => (release = () => resolve({ deviceId: 'too late' }))), {
      tokens: ['cut'],
    });
    await server.connection?.flush();
    const reply = client
      .request(subjects.health.device, {}, { tokens: ['cut'], timeoutMs: 500 })
      .catch((error: unknown) => error);
    await sleep(50);
    await server.connection?.close();
    release();
    expect(await reply).toMatchObject({ code: 'BUS_TIMEOUT' });
    await waitFor(() => lines.some((line) => line.includes('reply not sent')), { what: 'the warning' });
    const warning = lines.map((line) => JSON.parse(line)).find((line) => line.msg === 'reply not sent');
    expect(warning).toMatchObject({ level: 'warn', subject: 'lichen.health.cut.get' });
    await server.close();
    await sleep(50);
    process.off('unhandledRejection', onRejection);
    expect(rejections).toEqual([]);
  });
});

describe('loading JetStream', () => {
  it('loads the JetStream client only when JetStream is first used', async () => {
    const { output, exited } = await runFixture('jetstream-lazy.mjs', nats.url);
    expect(await exited).toBe(0);
    expect(JSON.parse(output())).toEqual({ transport: true, before: false, after: true });
  });
});
