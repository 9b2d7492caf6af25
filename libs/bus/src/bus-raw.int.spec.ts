import { Writable } from 'node:stream';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@lichen/logging';
import { freePort, startNatsServer, waitFor, type TestNatsServer } from '@lichen/testing';
import { Bus } from './bus.js';

const lines: string[] = [];
const logger = createLogger({
  service: 'test',
  destination: new Writable({ write: (chunk, _e, done) => (lines.push(chunk.toString()), done()) }),
});
let nats: TestNatsServer;
let bus: Bus;

beforeAll(async () => {
  nats = await startNatsServer();
  bus = Bus.connect({ servers: nats.url, name: 'raw', logger });
  await bus.ready;
});

afterAll(async () => {
  await bus?.close();
  await nats?.stop({ removeData: true });
});

describe('raw bytes', () => {
  it('moves opaque bytes unchanged through one connection, in order', async () => {
    const received: number[][] = [];
    const off = bus.subscribeRaw('data.telemetry.*', (data) => void received.push([...data]));
    await bus.connection?.flush();
    for (let i = 0; i < 100; i++) bus.publishRaw(`data.telemetry.s${i % 3}`, new Uint8Array([i, 255 - i]));
    await waitFor(() => received.length === 100, { what: '100 messages' });
    await off();
    expect(received[0]).toEqual([0, 255]);
    expect(received[99]).toEqual([99, 156]);
  });

  it('subscribes before the first connection and attaches once it is up', async () => {
    const port = await freePort();
    const late = Bus.connect({ servers: `nats://127.0.0.1:${port}`, name: 'late', logger, retryDelayMs: 50 });
    const received: string[] = [];
    late.subscribeRaw('cloud.in.>', (data, meta) => void received.push(`${meta.subject}=${new TextDecoder().decode(data)}`));
    const lateNats = await startNatsServer({ port });
    try {
      await late.ready;
      await late.connection?.flush();
      const publisher = await connect({ servers: lateNats.url });
      publisher.publish('cloud.in.factory.line-3', 'hello');
      await publisher.flush();
      await waitFor(() => received.length === 1, { what: 'the message' });
      await publisher.close();
      expect(received).toEqual(['cloud.in.factory.line-3=hello']);
    } finally {
      await late.close();
      await lateNats.stop({ removeData: true });
    }
  });

  it('shares raw messages in a queue group, and logs a raw handler that fails', async () => {
    const counts = { a: 0, b: 0 };
    const offA = bus.subscribeRaw('work.items', () => void counts.a++, { queue: 'workers' });
    const offB = bus.subscribeRaw('work.items', () => void counts.b++, { queue: 'workers' });
    const offFailing = bus.subscribeRaw('work.items', async () => {
      throw new Error('cannot parse item');
    });
    await bus.connection?.flush();
    for (let i = 0; i < 50; i++) bus.publishRaw('work.items', new Uint8Array([i]));
    await waitFor(() => counts.a + counts.b === 50, { what: 'every item once' });
    await Promise.all([offA(), offB(), offFailing()]);
    expect(counts.a).toBeGreaterThan(0);
    expect(counts.b).toBeGreaterThan(0);
    const failure = lines.map((line) => JSON.parse(line)).find((line) => line.msg === 'message handler failed');
    expect(failure).toMatchObject({ level: 'error', subject: 'work.items', err: { message: 'cannot parse item' } });
  });
});
