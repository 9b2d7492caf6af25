import { fromJson, toJson } from '@bufbuild/protobuf';
import { ValueSchema } from '@bufbuild/protobuf/wkt';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BusError } from '@lichen/bus';
import { ShadowDeltaSchema, ShadowDocumentsSchema, subjects } from '@lichen/contracts';
import { waitFor } from '@lichen/testing';
import { CLASSIC_SHADOW } from '../src/domain/shadow/shadow-address.js';
import { ShadowDevice } from './shadow-device.js';

// Shadows as a user drives them: `lichen shadow` and plain NATS requests against `lichen run sync-agent`, with its
// own NATS and a Redis that keeps its data (append-only file), as on a device.
const device = new ShadowDevice();

interface Heard {
  subject: string;
  event: Record<string, unknown>;
}

beforeAll(() => device.start(), 90_000);
afterAll(() => device.stop(), 30_000);

/** Collects the delta and documents events of one thing's shadows from now on. */
async function listen(): Promise<{ deltas: Heard[]; documents: Heard[] }> {
  const heard = { deltas: [] as Heard[], documents: [] as Heard[] };
  device.bus.subscribe(subjects.shadow.delta, (event, { subject }) => {
    heard.deltas.push({ subject, event: toJson(ShadowDeltaSchema, event) as Record<string, unknown> });
  });
  device.bus.subscribe(subjects.shadow.documents, (event, { subject }) => {
    heard.documents.push({ subject, event: toJson(ShadowDocumentsSchema, event) as Record<string, unknown> });
  });
  await device.bus.flush();
  return heard;
}

/** A shadow document as `lichen shadow` prints it. */
interface PrintedShadow {
  state: Record<string, unknown>;
  metadata: Record<string, Record<string, { timestamp?: number }>>;
  version: number;
  timestamp: number;
}

const json = (text: string) => JSON.parse(text) as PrintedShadow;

describe('local shadows', () => {
  it('updates, gets and deletes a named shadow through the CLI, publishing delta and documents events', async () => {
    const heard = await listen();
    const made = await device.shadow(
      'update',
      'press-7',
      'fan',
      '{"state":{"desired":{"speed":3,"mode":"eco"}},"clientToken":"t-1"}',
    );
    expect(made.stderr).toBe('');
    const first = json(made.stdout);
    expect(first).toMatchObject({
      state: { desired: { speed: 3, mode: 'eco' }, delta: { speed: 3, mode: 'eco' } },
      version: 1,
      clientToken: 't-1',
    });
    expect(first.metadata.desired?.speed?.timestamp).toBe(first.timestamp);

    const reported = json((await device.shadow('update', 'press-7', 'fan', '--reported', '{"speed":3}')).stdout);
    expect(reported).toMatchObject({ state: { reported: { speed: 3 }, delta: { mode: 'eco' } }, version: 2 });
    const got = json((await device.shadow('get', 'press-7', 'fan')).stdout);
    expect(got).toEqual({ ...reported, clientToken: undefined });

    await waitFor(() => heard.documents.length === 2, { what: 'two documents events' });
    await sleep(200);
    // A delta after the update that wrote desired; none after the one that wrote only reported.
    expect(heard.deltas).toEqual([
      {
        subject: 'lichen.evt.shadow.press-7.fan.delta',
        event: {
          state: { speed: 3, mode: 'eco' },
          metadata: first.metadata.desired ?? {},
          version: 1,
          timestamp: first.timestamp,
          clientToken: 't-1',
        },
      },
    ]);
    expect(heard.documents[0]).toEqual({
      subject: 'lichen.evt.shadow.press-7.fan.documents',
      event: {
        current: {
          state: { desired: { speed: 3, mode: 'eco' } },
          metadata: first.metadata,
          version: 1,
          timestamp: first.timestamp,
        },
        timestamp: first.timestamp,
        clientToken: 't-1',
      },
    });
    expect(heard.documents[1]?.event).toMatchObject({ previous: { version: 1 }, current: { version: 2 } });

    const deleted = await device.shadow('delete', 'press-7', 'fan');
    expect(json(deleted.stdout)).toMatchObject({ version: 2 });
    await waitFor(() => heard.documents.length === 3, { what: 'the documents event of the delete' });
    expect(heard.documents[2]?.event).toMatchObject({ previous: { version: 2 } });
    expect(heard.documents[2]?.event.current).toBeUndefined();
    const gone = await device.shadow('get', 'press-7', 'fan');
    expect(gone).toEqual({
      code: 1,
      stdout: '',
      stderr: "lichen shadow get: rejected with 404: No shadow exists with name: 'press-7/fan'\n",
    });
  });

  it(`addresses the classic shadow as ${CLASSIC_SHADOW} on the bus, which the CLI uses when no shadow is named`, async () => {
    const made = json((await device.shadow('update', 'press-7', '{"state":{"reported":{"uptime":12}}}')).stdout);
    expect(made).toMatchObject({ state: { reported: { uptime: 12 } }, version: 1 });
    const onBus = await device.requestJson(subjects.shadow.get.subject('press-7', CLASSIC_SHADOW), '{}');
    expect(onBus.status).toBeUndefined();
    expect(json(onBus.text)).toEqual(made);
    expect((await device.shadow('get', 'press-7', 'uptime')).code).toBe(1);
  });

  it('refuses each bad request with AWS IoT code and message, and keeps serving', async () => {
    await device.shadow('update', 'press-8', 'fan', '{"state":{"desired":{"speed":1}}}');
    const refusals = await Promise.all([
      device.shadow('update', 'press-8', 'fan', '{"state":{"desired":5}}'),
      device.shadow('get', 'press-8', 'light'),
      device.shadow('delete', 'press-8', 'light'),
      device.shadow('update', 'press-8', 'fan', '--desired', '{"speed":2}', '--expected-version', '7'),
      device.shadow('delete', 'press-8', 'fan', '--expected-version', '7'),
      device.shadow('update', 'press-8', 'fan', '--reported', JSON.stringify({ blob: 'x'.repeat(8_200) })),
      device.shadow('update', 'press-8', 'fan', '--desired', '{"a":{"b":{"c":{"d":{"e":{"f":1}}}}}}'),
      device.shadow('get', 't'.repeat(129)),
      device.shadow('get', 'press-8', 's'.repeat(65)),
      device.shadow('update', 'press-8', 'fan', JSON.stringify({ state: {}, clientToken: 'c'.repeat(65) })),
    ]);
    expect(refusals.map(({ code, stdout, stderr }) => [code, stdout, stderr.trim()])).toEqual([
      [1, '', 'lichen shadow update: rejected with 400: state.desired must be an object or null'],
      [1, '', "lichen shadow get: rejected with 404: No shadow exists with name: 'press-8/light'"],
      [1, '', "lichen shadow delete: rejected with 404: No shadow exists with name: 'press-8/light'"],
      [1, '', 'lichen shadow update: rejected with 409: Version conflict'],
      [1, '', 'lichen shadow delete: rejected with 409: Version conflict'],
      [
        1,
        '',
        'lichen shadow update: rejected with 413: The payload exceeds the maximum size allowed: desired and reported together are over 8192 bytes',
      ],
      [1, '', 'lichen shadow update: rejected with 400: state.desired nests 6 levels of objects; at most 5 are allowed'],
      [1, '', 'lichen shadow get: rejected with 400: the thing name is longer than 128 bytes'],
      [1, '', 'lichen shadow get: rejected with 400: the shadow name is longer than 64 bytes'],
      [1, '', 'lichen shadow update: rejected with 400: clientToken is longer than 64 bytes'],
    ]);
    const after = json((await device.shadow('get', 'press-8', 'fan')).stdout);
    expect(after).toMatchObject({ state: { desired: { speed: 1 } }, version: 1 });
  });

  it('answers a plain JSON client with the code in Nats-Service-Error-Code and the message in the body', async () => {
    const subject = subjects.shadow.update.subject('press-8', 'fan');
    const large = await device.requestJson(subject, JSON.stringify({ state: { reported: { blob: 'x'.repeat(9_000) } } }));
    expect(large.status).toBe('413');
    expect(json(large.text)).toEqual({
      code: 'ERROR_CODE_TOO_LARGE',
      message: 'The payload exceeds the maximum size allowed: desired and reported together are over 8192 bytes',
    });
    const notJson = await device.requestJson(subject, '{"state": nope');
    expect(notJson.status).toBe('400');
    const delta = await device.requestJson(subject, '{"state":{"delta":{"speed":1}}}');
    expect([delta.status, delta.error]).toEqual(['400', 'State contains an invalid node: delta']);
    const accepted = await device.requestJson(subject, '{"state":{"desired":{"speed":null,"mode":"eco"}},"version":1}');
    expect(accepted.status).toBeUndefined();
    expect(json(accepted.text)).toMatchObject({ state: { desired: { mode: 'eco' } }, version: 2 });
  });

  it('applies two updates made against the same version one after the other: one passes, one gets 409', async () => {
    await device.shadow('update', 'press-9', 'fan', '{"state":{"desired":{"speed":1}}}');
    const results = await Promise.all(
      [2, 3].map((speed) =>
        device.bus
          .request(
            subjects.shadow.update,
            { state: { desired: fromJson(ValueSchema, { speed }) }, version: 1 },
            { tokens: ['press-9', 'fan'] },
          )
          .then((document) => document.version)
          .catch((error: unknown) => (error instanceof BusError ? error.status : error)),
      ),
    );
    expect(results.sort()).toEqual([2, 409]);
  });

  it('keeps every shadow through a crash of the agent and of Redis', async () => {
    const before = json((await device.shadow('get', 'press-8', 'fan')).stdout);
    await device.stopAgent('SIGKILL');
    await device.redis.kill();
    await device.redis.restart();
    await device.startAgent();
    expect(json((await device.shadow('get', 'press-8', 'fan')).stdout)).toEqual(before);
    const next = json((await device.shadow('update', 'press-8', 'fan', '--reported', '{"speed":1}')).stdout);
    expect(next.version).toBe(before.version + 1);
    expect(json((await device.shadow('get', 'press-7')).stdout)).toMatchObject({ state: { reported: { uptime: 12 } } });
  });
});
