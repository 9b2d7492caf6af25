import { Writable } from 'node:stream';
import { connect, headers, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subjects } from '@lichen/contracts';
import { createLogger } from '@lichen/logging';
import { startNatsServer, waitFor, type TestNatsServer } from '@lichen/testing';
import { Bus } from './bus.js';
import { BusError } from './wire/bus-error.js';

const logger = createLogger({ service: 'test', level: 'silent', destination: new Writable({ write: (_c, _e, done) => done() }) });
let nats: TestNatsServer;
let server: Bus;
let client: Bus;
let plain: NatsConnection;

beforeAll(async () => {
  nats = await startNatsServer({ jetstream: true });
  server = Bus.connect({ servers: nats.url, name: 'server', logger });
  client = Bus.connect({ servers: nats.url, name: 'client', logger });
  await Promise.all([server.ready, client.ready]);
  plain = await connect({ servers: nats.url });
});

afterAll(async () => {
  await plain?.close();
  await Promise.all([server?.close(), client?.close()]);
  await nats?.stop({ removeData: true });
});

describe('headers', () => {
  it('carries a trace id from the caller to the handler and back on the reply', async () => {
    const off = server.serve(subjects.health.get, (_request, meta) => {
      meta.replyHeaders.set('X-Trace-Id', meta.headers?.get('X-Trace-Id') ?? 'none');
      meta.replyHeaders.set('X-Served-By', 'server');
      return { deviceId: 'traced' };
    });
    await server.connection?.flush();
    const reply = await client.requestReply(subjects.health.get, {}, { headers: { 'X-Trace-Id': 'trace-42' } });
    await off();
    expect(reply.message.deviceId).toBe('traced');
    expect(reply.headers?.get('X-Trace-Id')).toBe('trace-42');
    expect(reply.headers?.get('X-Served-By')).toBe('server');
    expect(reply.headers?.get('Content-Type')).toBe('application/protobuf');
  });

  it('keeps the reply headers on an error reply too', async () => {
    const off = server.serve(subjects.health.get, (_request, meta) => {
      meta.replyHeaders.set('X-Trace-Id', 'trace-err');
      throw BusError.invalid('nope');
    });
    await server.connection?.flush();
    const h = headers();
    h.set('Content-Type', 'application/json');
    const reply = await plain.request('lichen.health.get', '{}', { headers: h, timeout: 2_000 });
    await off();
    expect(reply.headers?.get('X-Trace-Id')).toBe('trace-err');
    expect(reply.headers?.get('Nats-Service-Error-Code')).toBe('400');
  });

  it('publishes typed and raw messages with extra headers that subscribers read', async () => {
    const seen: string[] = [];
    const offTyped = client.subscribe(
      subjects.component.state,
      (_event, meta) => void seen.push(`typed:${meta.headers?.get('X-Trace-Id')}`),
    );
    const offRaw = client.subscribeRaw(
      'data.vibration.>',
      (_data, meta) => void seen.push(`raw:${meta.headers?.get('X-Trace-Id')}`),
    );
    await client.connection?.flush();
    server.publish(subjects.component.state, ['pump'], { component: 'pump' }, { headers: { 'X-Trace-Id': 't-typed' } });
    const h = headers();
    h.set('X-Trace-Id', 't-raw');
    server.publishRaw('data.vibration.pump', new Uint8Array([1]), { headers: h });
    await waitFor(() => seen.length === 2, { what: 'both messages' });
    await Promise.all([offTyped(), offRaw()]);
    expect(seen.sort()).toEqual(['raw:t-raw', 'typed:t-typed']);
  });

  it('lets JetStream drop a duplicate by its Nats-Msg-Id header, on a raw publish', async () => {
    await server.jetstream.ensureStream({ name: 'DEDUPE', subjects: ['dedupe.>'] });
    for (let i = 0; i < 3; i++) server.publishRaw('dedupe.a', new Uint8Array([i]), { headers: { 'Nats-Msg-Id': 'same-id' } });
    server.publishRaw('dedupe.a', new Uint8Array([9]), { headers: { 'Nats-Msg-Id': 'other-id' } });
    await server.connection?.flush();
    const info = await server.jetstream.ensureStream({ name: 'DEDUPE', subjects: ['dedupe.>'] });
    expect(info.info.state.messages).toBe(2);
  });
});
