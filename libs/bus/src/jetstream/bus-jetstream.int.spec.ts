import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@lichen/logging';
import { freePort, startNatsServer, waitFor, type TestNatsServer } from '@lichen/testing';
import { Bus } from '../bus.js';
import { BusError } from '../wire/bus-error.js';
import type { DurableMessage } from './durable-message.js';

const logger = createLogger({ service: 'test', level: 'silent', destination: new Writable({ write: (_c, _e, done) => done() }) });
const text = (data: Uint8Array) => new TextDecoder().decode(data);
const bytes = (value: string) => new TextEncoder().encode(value);
let nats: TestNatsServer;
let bus: Bus;

beforeAll(async () => {
  nats = await startNatsServer({ jetstream: true });
  bus = Bus.connect({ servers: nats.url, name: 'jetstream', logger });
  await bus.ready;
});

afterAll(async () => {
  await bus?.close();
  await nats?.stop({ removeData: true });
});

describe('ensureStream', () => {
  it('creates a missing stream, leaves an equal one alone, and updates what differs', async () => {
    const settings = { name: 'SPOOL', subjects: ['cloud.out.>'], storage: 'file' as const, max_msgs: 1_000 };
    const created = await bus.jetstream.ensureStream(settings);
    expect(created).toMatchObject({ action: 'created', info: { config: { name: 'SPOOL', max_msgs: 1_000 } } });
    expect(await bus.jetstream.ensureStream(settings)).toMatchObject({ action: 'unchanged', changed: [] });

    const updated = await bus.jetstream.ensureStream({ ...settings, max_msgs: 2_000, description: 'cloud spool' });
    expect(updated).toMatchObject({
      action: 'updated',
      changed: ['max_msgs', 'description'],
      info: { config: { max_msgs: 2_000 } },
    });
    expect((await bus.jetstream.ensureStream({ ...settings, max_msgs: 2_000 })).action).toBe('unchanged');
  });

  it('refuses a change the server cannot make, as a BusError', async () => {
    await bus.jetstream.ensureStream({ name: 'FIXED', subjects: ['fixed.>'], storage: 'file' });
    const failure = await bus.jetstream.ensureStream({ name: 'FIXED', storage: 'memory' }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(BusError);
    expect(failure).toMatchObject({
      code: 'BUS_JETSTREAM_REJECTED',
      message: expect.stringMatching(/^ensuring stream FIXED: .*storage/),
    });
  });
});

describe('ensureConsumer', () => {
  it('creates a durable consumer with explicit acks, then updates only what differs', async () => {
    await bus.jetstream.ensureStream({ name: 'ROUTES', subjects: ['routes.>'] });
    const settings = { durable_name: 'forwarder', max_deliver: 5 };
    const created = await bus.jetstream.ensureConsumer('ROUTES', settings);
    expect(created).toMatchObject({ action: 'created', info: { config: { durable_name: 'forwarder', ack_policy: 'explicit' } } });
    expect((await bus.jetstream.ensureConsumer('ROUTES', settings)).action).toBe('unchanged');
    const updated = await bus.jetstream.ensureConsumer('ROUTES', { ...settings, max_deliver: 10 });
    expect(updated).toMatchObject({ action: 'updated', changed: ['max_deliver'], info: { config: { max_deliver: 10 } } });
  });

  it('says the stream is missing', async () => {
    const failure = await bus.jetstream.ensureConsumer('NOPE', { durable_name: 'x' }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'BUS_JETSTREAM_REJECTED', kind: 'not-found' });
  });
});

describe('publishDurable', () => {
  it('resolves with the stream sequence, and marks a repeated message id as a duplicate', async () => {
    await bus.jetstream.ensureStream({ name: 'ACKED', subjects: ['acked.>'] });
    const first = await bus.jetstream.publishDurable('acked.a', bytes('one'), { msgId: 'm-1', headers: { 'X-Trace-Id': 't' } });
    const again = await bus.jetstream.publishDurable('acked.a', bytes('one'), { msgId: 'm-1' });
    const second = await bus.jetstream.publishDurable('acked.a', bytes('two'), { msgId: 'm-2' });
    expect(first).toEqual({ stream: 'ACKED', seq: 1, duplicate: false });
    expect(again).toEqual({ stream: 'ACKED', seq: 1, duplicate: true });
    expect(second).toMatchObject({ seq: 2, duplicate: false });
  });

  it('fails when no stream stores the subject', async () => {
    const failure = await bus.jetstream
      .publishDurable('nowhere.a', bytes('x'), { timeoutMs: 1_000 })
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({
      code: 'BUS_JETSTREAM_UNAVAILABLE',
      kind: 'unavailable',
      message: expect.stringContaining('nowhere.a'),
    });
  });
});

describe('read, streamState and storedMessage', () => {
  it('reads a stream in order from a sequence on, and says what it holds', async () => {
    await bus.jetstream.ensureStream({ name: 'LOG', subjects: ['log.>'] });
    for (const word of ['one', 'two', 'three', 'four']) await bus.jetstream.publishDurable(`log.${word}`, bytes(word));
    const state = await bus.jetstream.streamState('LOG');
    expect(state).toMatchObject({ firstSeq: 1, lastSeq: 4, messages: 4 });
    expect(Date.parse(state.created)).toBeGreaterThan(0);

    const reading = await bus.jetstream.read('LOG', 2);
    const seen: string[] = [];
    for await (const message of reading) {
      seen.push(`${message.seq} ${message.subject} ${text(message.data)}`);
      if (seen.length === 3) break;
    }
    await reading.close();
    expect(seen).toEqual(['2 log.two two', '3 log.three three', '4 log.four four']);

    expect(text((await bus.jetstream.storedMessage('LOG', { seq: 3 }))!.data)).toBe('three');
    expect(text((await bus.jetstream.storedMessage('LOG', { lastOf: 'log.one' }))!.data)).toBe('one');
    expect(await bus.jetstream.storedMessage('LOG', { seq: 99 })).toBeUndefined();
  });
});

describe('consume', () => {
  it('acknowledges a message once its handler resolves, and redelivers after a delay when it throws', async () => {
    await bus.jetstream.ensureStream({ name: 'WORK', subjects: ['work.>'] });
    await bus.jetstream.ensureConsumer('WORK', { durable_name: 'worker' });
    const deliveries: { body: string; count: number; at: number }[] = [];
    const off = bus.jetstream.consume(
      'WORK',
      'worker',
      (message: DurableMessage) => {
        deliveries.push({ body: text(message.data), count: message.deliveryCount, at: Date.now() });
        if (text(message.data) === 'flaky' && message.deliveryCount === 1) throw new Error('downstream busy');
      },
      { retryDelayMs: 300 },
    );
    await bus.jetstream.publishDurable('work.a', bytes('fine'));
    await bus.jetstream.publishDurable('work.a', bytes('flaky'));
    await waitFor(() => deliveries.length === 3, { what: 'the redelivery' });
    expect(deliveries.map(({ body, count }) => `${body}#${count}`)).toEqual(['fine#1', 'flaky#1', 'flaky#2']);
    expect(deliveries[2]!.at - deliveries[1]!.at).toBeGreaterThanOrEqual(250);
    const info = await bus.jetstream.ensureConsumer('WORK', { durable_name: 'worker' });
    await waitFor(
      async () => (await bus.jetstream.ensureConsumer('WORK', { durable_name: 'worker' })).info.num_ack_pending === 0,
      {
        what: 'every message acknowledged',
      },
    );
    expect(info.info.num_pending).toBe(0);
    await off();
  });

  it('keeps consuming across a restart of the server', async () => {
    const own = await startNatsServer({ jetstream: true });
    const local = Bus.connect({ servers: own.url, name: 'survivor', logger });
    try {
      await local.ready;
      await local.jetstream.ensureStream({ name: 'SPOOL', subjects: ['spool.>'] });
      await local.jetstream.ensureConsumer('SPOOL', { durable_name: 'uplink' });
      const seen: string[] = [];
      local.jetstream.consume('SPOOL', 'uplink', (message) => void seen.push(text(message.data)));
      await local.jetstream.publishDurable('spool.a', bytes('before'));
      await waitFor(() => seen.includes('before'), { what: 'the first message' });
      await own.restart();
      await waitFor(() => local.connected, { what: 'the reconnect', timeoutMs: 15_000 });
      await waitFor(
        async () => {
          await local.jetstream.publishDurable('spool.a', bytes('after'), { msgId: 'after-restart', timeoutMs: 1_000 });
          return seen.includes('after');
        },
        { what: 'a message after the restart', timeoutMs: 20_000, intervalMs: 500 },
      );
      // At least once: 'before' may come again when the restart beat its acknowledgement to the disk.
      expect(seen[0]).toBe('before');
      expect(seen.at(-1)).toBe('after');
      expect(new Set(seen)).toEqual(new Set(['before', 'after']));
    } finally {
      await local.close();
      await own.stop({ removeData: true });
    }
  });

  it('closes at once a bus whose consumer never got a connection', async () => {
    const away = Bus.connect({ servers: `nats://127.0.0.1:${await freePort()}`, name: 'away', logger, retryDelayMs: 50 });
    away.jetstream.consume('SPOOL', 'uplink', () => undefined);
    const started = Date.now();
    await away.close();
    expect(Date.now() - started).toBeLessThan(1_000);
    await expect(away.jetstream.publishDurable('spool.a', bytes('x'))).rejects.toMatchObject({ code: 'BUS_NOT_CONNECTED' });
  });

  it('finishes the message in flight and acknowledges it when the bus stops serving', async () => {
    const own = await startNatsServer({ jetstream: true });
    const local = Bus.connect({ servers: own.url, name: 'stopper', logger });
    const observer = Bus.connect({ servers: own.url, name: 'observer', logger });
    try {
      await Promise.all([local.ready, observer.ready]);
      await local.jetstream.ensureStream({ name: 'SLOW', subjects: ['slow.>'] });
      await local.jetstream.ensureConsumer('SLOW', { durable_name: 'slow' });
      let started = false;
      let finished = false;
      local.jetstream.consume('SLOW', 'slow', async () => {
        started = true;
        await new Promise((resolve) => setTimeout(resolve, 400));
        finished = true;
      });
      await local.jetstream.publishDurable('slow.a', bytes('x'));
      await waitFor(() => started, { what: 'the handler to start' });
      await local.stopServing();
      expect(finished).toBe(true);
      await waitFor(
        async () => (await observer.jetstream.ensureConsumer('SLOW', { durable_name: 'slow' })).info.num_ack_pending === 0,
        {
          what: 'the acknowledgement',
        },
      );
    } finally {
      await Promise.all([local.close(), observer.close()]);
      await own.stop({ removeData: true });
    }
  });
});
