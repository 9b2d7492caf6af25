import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bus } from '@lichen/bus';
import { cloudOutSubject, cloudSpool } from '@lichen/contracts';
import { createLogger } from '@lichen/logging';
import { startNatsServer, waitFor, type TestNatsServer } from '@lichen/testing';
import { ensureCloudSpool, keepCloudSpool } from './cloud-spool.js';

const limits = { maxBytes: 1024 * 1024, maxAgeMs: 3_600_000 };
let nats: TestNatsServer;
let bus: Bus;

beforeAll(async () => {
  nats = await startNatsServer({ jetstream: true });
  bus = Bus.connect({ servers: nats.url, name: 'spool-test', logger: createLogger({ service: 'spool', level: 'silent' }) });
  await bus.ready;
});

afterAll(async () => {
  await bus?.close();
  await nats?.stop({ removeData: true });
});

describe('the cloud spool', () => {
  it('is a file-backed stream on cloud.out.>, bounded, dropping the oldest; ensuring it again changes nothing', async () => {
    const first = await ensureCloudSpool(bus.jetstream, limits);
    expect(first.action).toBe('created');
    const again = await ensureCloudSpool(bus.jetstream, limits);
    expect(again.action).toBe('unchanged');
    const wider = await ensureCloudSpool(bus.jetstream, { ...limits, maxBytes: 2 * 1024 * 1024 });
    expect([wider.action, wider.changed]).toEqual(['updated', ['max_bytes']]);
    const info = wider.info as { config: Record<string, unknown> };
    expect(info.config).toMatchObject({
      name: cloudSpool.stream,
      subjects: ['cloud.out.>'],
      storage: 'file',
      discard: 'old',
      max_bytes: 2 * 1024 * 1024,
      max_age: 3_600_000 * 1_000_000,
    });
  });

  it('stores a message published on a cloud topic, acknowledged', async () => {
    const ack = await bus.jetstream.publishDurable(cloudOutSubject('factory/line-3/alerts'), new TextEncoder().encode('{}'));
    expect(ack.stream).toBe(cloudSpool.stream);
  });

  it('is made again on the next connection when the server lost it', async () => {
    const stop = keepCloudSpool(bus, createLogger({ service: 'spool', level: 'silent' }), limits);
    const jsm = await (await import('@nats-io/jetstream')).jetstreamManager(bus.connection!);
    await jsm.streams.delete(cloudSpool.stream);
    await nats.restart();
    await waitFor(
      () =>
        jsm.streams.info(cloudSpool.stream).then(
          () => true,
          () => false,
        ),
      { what: 'the spool made again' },
    );
    stop();
  });
});
