import { Writable } from 'node:stream';
import { fromBinary } from '@bufbuild/protobuf';
import { connect, createInbox, type Msg, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HeartbeatSchema, ServiceErrorSchema, subjects } from '@lichen/contracts';
import { LichenError } from '@lichen/errors';
import { createLogger } from '@lichen/logging';
import { startNatsServer, waitFor, type TestNatsServer } from '@lichen/testing';
import { Bus } from './bus.js';
import type { Unsubscribe } from './bus.types.js';
import { BusError } from './wire/bus-error.js';

const logger = createLogger({ service: 'test', level: 'silent', destination: new Writable({ write: (_c, _e, done) => done() }) });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
let nats: TestNatsServer;
let server: Bus;
let client: Bus;
let plain: NatsConnection;
let off: Unsubscribe | undefined;

async function serve(handler: Parameters<Bus['serve']>[1]) {
  off = server.serve(subjects.health.device, handler as never);
  await server.connection?.flush();
}

async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of stream) items.push(item);
  return items;
}

beforeAll(async () => {
  nats = await startNatsServer();
  server = Bus.connect({ servers: nats.url, name: 'server', logger });
  client = Bus.connect({ servers: nats.url, name: 'client', logger });
  await Promise.all([server.ready, client.ready]);
  plain = await connect({ servers: nats.url });
});

afterEach(async () => {
  await off?.();
  off = undefined;
});

afterAll(async () => {
  await plain?.close();
  await Promise.all([server?.close(), client?.close()]);
  await nats?.stop({ removeData: true });
});

describe('streaming replies', () => {
  it('yields every item a handler streams, in order, then ends', async () => {
    await serve(async function* (_request, meta) {
      for (let i = 1; i <= 3; i++) yield { deviceId: `${meta.tokens[0]}-${i}` };
    });
    const items = await collect(client.requestStream(subjects.health.device, {}, { tokens: ['press'] }));
    expect(items.map((item) => item.deviceId)).toEqual(['press-1', 'press-2', 'press-3']);
  });

  it('puts items and an end marker on the wire that any NATS client can read', async () => {
    await serve(async function* () {
      yield { deviceId: 'one' };
      yield { deviceId: 'two' };
    });
    const inbox = createInbox();
    const received: Msg[] = [];
    const subscription = plain.subscribe(inbox, { callback: (_error, msg) => void received.push(msg) });
    plain.publish('lichen.health.raw.get', new Uint8Array(), { reply: inbox });
    await waitFor(() => received.length === 3, { what: 'two items and the end marker' });
    subscription.unsubscribe();
    expect(received.map((msg) => msg.headers?.get('Lichen-Stream'))).toEqual(['item', 'item', 'end']);
    expect(received.slice(0, 2).map((msg) => fromBinary(HeartbeatSchema, msg.data).deviceId)).toEqual(['one', 'two']);
    expect(received[2]?.data.length).toBe(0);
  });

  it('ends the stream with the error a handler throws mid-stream', async () => {
    await serve(async function* () {
      yield { deviceId: 'before' };
      throw new LichenError('MODEL_GONE', 'not-found', 'model bearing-anomaly was unloaded');
    });
    const items: string[] = [];
    const failure = await (async () => {
      for await (const item of client.requestStream(subjects.health.device, {}, { tokens: ['x'] })) items.push(item.deviceId);
    })().catch((error: unknown) => error);
    expect(items).toEqual(['before']);
    expect(failure).toBeInstanceOf(BusError);
    expect(failure).toMatchObject({ kind: 'not-found', status: 404, message: 'model bearing-anomaly was unloaded' });
  });

  it('sends an unexpected mid-stream failure as an opaque internal error, marked as the end', async () => {
    await serve(async function* () {
      yield { deviceId: 'before' };
      throw new Error('disk password is hunter2');
    });
    const inbox = createInbox();
    const received: Msg[] = [];
    const subscription = plain.subscribe(inbox, { callback: (_error, msg) => void received.push(msg) });
    plain.publish('lichen.health.x.get', new Uint8Array(), { reply: inbox });
    await waitFor(() => received.length === 2, { what: 'the item and the error' });
    subscription.unsubscribe();
    const last = received[1]!;
    expect(last.headers?.get('Lichen-Stream')).toBe('end');
    expect(last.headers?.get('Nats-Service-Error-Code')).toBe('500');
    expect(fromBinary(ServiceErrorSchema, last.data).message).toBe('internal error');
  });

  it('fails with a timeout when the next item takes longer than the idle timeout', async () => {
    await serve(async function* () {
      yield { deviceId: 'first' };
      await sleep(400);
      yield { deviceId: 'too late' };
    });
    const items: string[] = [];
    const started = Date.now();
    const failure = await (async () => {
      const stream = client.requestStream(subjects.health.device, {}, { tokens: ['x'], idleTimeoutMs: 100 });
      for await (const item of stream) items.push(item.deviceId);
    })().catch((error: unknown) => error);
    expect(items).toEqual(['first']);
    expect(failure).toMatchObject({ code: 'BUS_TIMEOUT', kind: 'deadline-exceeded' });
    expect(Date.now() - started).toBeLessThan(350);
  });

  it('takes a single reply as a stream of one, and gives a plain request the first item of a stream', async () => {
    await serve(() => ({ deviceId: 'single' }));
    expect((await collect(client.requestStream(subjects.health.device, {}, { tokens: ['x'] }))).map((i) => i.deviceId)).toEqual([
      'single',
    ]);
    await off?.();
    await serve(async function* () {
      yield { deviceId: 'head' };
      yield { deviceId: 'tail' };
    });
    expect((await client.request(subjects.health.device, {}, { tokens: ['x'] })).deviceId).toBe('head');
  });

  it('says no service answers a stream nobody serves', async () => {
    await expect(collect(client.requestStream(subjects.health.device, {}, { tokens: ['nobody'] }))).rejects.toMatchObject({
      code: 'BUS_NO_RESPONDERS',
    });
  });

  it('streams no items when the handler yields none', async () => {
    await serve(async function* () {
      // an empty stream: only the end marker
    });
    expect(await collect(client.requestStream(subjects.health.device, {}, { tokens: ['x'] }))).toEqual([]);
  });
});
