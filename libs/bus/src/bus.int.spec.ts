import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subjects } from '@lichen/contracts';
import { createLogger } from '@lichen/logging';
import { freePort, startNatsServer, waitFor, type TestNatsServer } from '@lichen/testing';
import { Bus } from './bus.js';
import { BusError } from './wire/bus-error.js';

const lines: string[] = [];
const logger = createLogger({
  service: 'bus-test',
  destination: new Writable({ write: (chunk, _e, done) => (lines.push(chunk.toString()), done()) }),
});

let nats: TestNatsServer;
let server: Bus;
let client: Bus;

beforeAll(async () => {
  nats = await startNatsServer();
  server = Bus.connect({ servers: nats.url, name: 'server', logger });
  client = Bus.connect({ servers: nats.url, name: 'client', logger });
  await Promise.all([server.ready, client.ready]);
});

afterAll(async () => {
  await Promise.all([server?.close(), client?.close()]);
  await nats?.stop({ removeData: true });
});

describe('Bus', () => {
  it('round-trips a typed request in protobuf and in JSON', async () => {
    const off = server.serve(subjects.health.device, () => ({ deviceId: 'press-7', versions: { lichen: '0.1.0' } }));
    await server.connection?.flush();
    const binary = await client.request(subjects.health.device, {}, { tokens: ['press-7'] });
    const json = await client.request(subjects.health.device, {}, { tokens: ['press-7'], contentType: 'application/json' });
    await off();
    expect(binary.deviceId).toBe('press-7');
    expect(json.versions).toEqual({ lichen: '0.1.0' });
  });

  it('carries a handler error to the caller with its kind and violations', async () => {
    const off = server.serve(subjects.health.get, () => {
      throw BusError.invalid('bad request', [{ path: 'deviceId', reason: 'unknown device' }]);
    });
    await server.connection?.flush();
    const failure = await client.request(subjects.health.get, {}).catch((error: unknown) => error);
    await off();
    expect(failure).toBeInstanceOf(BusError);
    expect(failure).toMatchObject({ code: 'BUS_ERROR_REPLY', kind: 'invalid-argument', status: 400, message: 'bad request' });
    expect((failure as BusError).violations).toEqual([{ path: 'deviceId', reason: 'unknown device' }]);
  });

  it('says no service answers when nothing serves the subject', async () => {
    const failure = await client.request(subjects.health.device, {}, { tokens: ['nobody'] }).catch((error: unknown) => error);
    expect(failure).toMatchObject({
      code: 'BUS_NO_RESPONDERS',
      kind: 'unavailable',
      message: 'no service answers lichen.health.nobody.get',
    });
  });

  it('says a request timed out when the handler is too slow', async () => {
    const off = server.serve(subjects.health.get, () => new Promise((resolve) => setTimeout(() => resolve({}), 300)));
    await server.connection?.flush();
    const failure = await client.request(subjects.health.get, {}, { timeoutMs: 50 }).catch((error: unknown) => error);
    await off();
    expect(failure).toMatchObject({
      code: 'BUS_TIMEOUT',
      kind: 'deadline-exceeded',
      message: 'no reply on lichen.health.get in time',
    });
  });

  it('delivers typed events to subscribers by pattern with their tokens, and drops ones that do not decode', async () => {
    const seen: string[] = [];
    const off = client.subscribe(
      subjects.component.state,
      (event, meta) => void seen.push(`${meta.tokens[0]}:${event.component}`),
    );
    await client.connection?.flush();
    server.publishRaw('lichen.evt.component.broken.state', new Uint8Array([0xff, 0xff, 0xff]));
    server.publish(subjects.component.state, ['pump'], { component: 'pump' });
    await waitFor(() => seen.length > 0, { what: 'the event' });
    await off();
    expect(seen).toEqual(['pump:pump']);
    const dropped = lines.map((line) => JSON.parse(line)).find((line) => line.msg === 'dropped an event that does not decode');
    expect(dropped).toMatchObject({
      level: 'warn',
      subject: 'lichen.evt.component.broken.state',
      reason: expect.stringMatching(/cannot decode lichen\.v1\.ComponentStateEvent/),
    });
  });

  it('refuses to publish or request while not connected, as a BusError', async () => {
    const port = await freePort();
    const away = Bus.connect({ servers: `nats://127.0.0.1:${port}`, name: 'away', logger, retryDelayMs: 50 });
    expect(() => away.publishRaw('x', new Uint8Array())).toThrow(BusError);
    await expect(away.request(subjects.health.get, {})).rejects.toMatchObject({ code: 'BUS_NOT_CONNECTED', kind: 'unavailable' });
    await away.close();
  });
});

describe('Bus connection', () => {
  it('keeps retrying until NATS comes up, then attaches subscriptions made before', async () => {
    const port = await freePort();
    const late = Bus.connect({ servers: `nats://127.0.0.1:${port}`, name: 'late', logger, retryDelayMs: 100 });
    const off = late.serve(subjects.health.get, () => ({ deviceId: 'late' }));
    expect(late.connected).toBe(false);
    await waitFor(() => lines.join('').includes('bus not reachable, retrying'), { what: 'a retry log line' });
    const lateNats = await startNatsServer({ port });
    try {
      await late.ready;
      const caller = Bus.connect({ servers: `nats://127.0.0.1:${port}`, name: 'caller', logger });
      await caller.ready;
      await late.connection?.flush();
      expect((await caller.request(subjects.health.get, {})).deviceId).toBe('late');
      await caller.close();
    } finally {
      await off();
      await late.close();
      await lateNats.stop({ removeData: true });
    }
  });

  it('reports disconnects and reconnects', async () => {
    const own = await startNatsServer();
    const bus = Bus.connect({ servers: own.url, name: 'flappy', logger });
    await bus.ready;
    const changes: boolean[] = [];
    bus.onConnectionChange((connected) => changes.push(connected));
    await own.restart();
    await waitFor(() => bus.connected && changes.length >= 2, { what: 'reconnect', timeoutMs: 15_000 });
    expect(changes).toEqual([false, true]);
    await bus.close();
    await own.stop({ removeData: true });
  });
});
