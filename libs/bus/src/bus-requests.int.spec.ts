import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { subjects } from '@lichen/contracts';
import { createLogger } from '@lichen/logging';
import { startNatsServer, waitFor, type TestNatsServer } from '@lichen/testing';
import { Bus } from './bus.js';
import type { Reply } from './bus.types.js';
import { BusError } from './wire/bus-error.js';

const logger = createLogger({ service: 'test', level: 'silent', destination: new Writable({ write: (_c, _e, done) => done() }) });
let nats: TestNatsServer;
let buses: Bus[] = [];

function connect(name: string): Bus {
  const bus = Bus.connect({ servers: nats.url, name, logger });
  buses.push(bus);
  return bus;
}

async function ready(...all: Bus[]): Promise<void> {
  await Promise.all(all.map((bus) => bus.ready));
  await Promise.all(all.map((bus) => bus.connection?.flush()));
}

beforeAll(async () => {
  nats = await startNatsServer();
});

afterEach(async () => {
  await Promise.all(buses.map((bus) => bus.close()));
  buses = [];
});

afterAll(async () => {
  await nats?.stop({ removeData: true });
});

describe('request subjects with tokens', () => {
  it('serves only its own device, and tells the handler the tokens of the subject', async () => {
    const [press, lathe, caller] = [connect('press'), connect('lathe'), connect('caller')];
    press.serve(
      subjects.health.device,
      (_request, meta) => ({ deviceId: `press saw ${meta.tokens.join(',')} on ${meta.subject}` }),
      {
        tokens: ['press-7'],
      },
    );
    lathe.serve(subjects.health.device, () => ({ deviceId: 'lathe' }), { tokens: ['lathe-2'] });
    await ready(press, lathe, caller);

    const answer = await caller.request(subjects.health.device, {}, { tokens: ['press-7'] });
    expect(answer.deviceId).toBe('press saw press-7 on lichen.health.press-7.get');
    expect((await caller.request(subjects.health.device, {}, { tokens: ['lathe-2'] })).deviceId).toBe('lathe');
    await expect(caller.request(subjects.health.device, {}, { tokens: ['drill-1'] })).rejects.toMatchObject({
      code: 'BUS_NO_RESPONDERS',
    });
  });

  it('serves the whole pattern when no tokens are given', async () => {
    const [gateway, caller] = [connect('gateway'), connect('caller')];
    gateway.serve(subjects.health.device, (_request, meta) => ({ deviceId: meta.tokens[0] }));
    await ready(gateway, caller);
    expect((await caller.request(subjects.health.device, {}, { tokens: ['any-device'] })).deviceId).toBe('any-device');
    await expect(caller.request(subjects.health.device, {}, { tokens: ['bad.token'] })).rejects.toThrow(
      /not a valid subject token/,
    );
  });
});

describe('fan-out requests', () => {
  it('gathers a reply from every device, with its headers, until the wait ends', async () => {
    const devices = ['a', 'b', 'c'].map((id) => {
      const bus = connect(`device-${id}`);
      bus.serve(subjects.health.get, (_request, meta) => {
        meta.replyHeaders.set('X-Device', id);
        if (id === 'c') throw new BusError('BUS_INVALID_REQUEST', 'unavailable', 'c is restarting');
        return { deviceId: id };
      });
      return bus;
    });
    const caller = connect('fleet');
    await ready(...devices, caller);

    const started = Date.now();
    const replies = await caller.requestMany(subjects.health.get, {}, { maxWaitMs: 300 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    const answered = replies.filter((reply): reply is Reply<typeof subjects.health.get.reply> => 'message' in reply);
    expect(answered.map((reply) => [reply.message.deviceId, reply.headers?.get('X-Device')]).sort()).toEqual([
      ['a', 'a'],
      ['b', 'b'],
    ]);
    const failed = replies.filter((reply) => 'error' in reply);
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ error: { kind: 'unavailable', message: 'c is restarting' } });
    expect(failed[0]?.headers?.get('X-Device')).toBe('c');

    const firstTwo = await caller.requestMany(subjects.health.get, {}, { maxWaitMs: 2_000, maxReplies: 2 });
    expect(firstTwo).toHaveLength(2);
  });

  it('returns no replies at once when nothing serves the subject', async () => {
    const lonely = connect('lonely');
    await ready(lonely);
    const started = Date.now();
    expect(await lonely.requestMany(subjects.health.device, {}, { tokens: ['nobody'], maxWaitMs: 2_000 })).toEqual([]);
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});

describe('queue groups', () => {
  it('shares the requests of a subject among replicas, each answered once', async () => {
    const answeredBy: string[] = [];
    const replicas = ['r1', 'r2'].map((id) => {
      const bus = connect(id);
      bus.serve(subjects.health.device, () => (answeredBy.push(id), { deviceId: id }), { tokens: ['shared'] });
      return bus;
    });
    const caller = connect('caller');
    await ready(...replicas, caller);
    for (let i = 0; i < 40; i++) await caller.request(subjects.health.device, {}, { tokens: ['shared'] });
    expect(answeredBy).toHaveLength(40);
    expect(new Set(answeredBy)).toEqual(new Set(['r1', 'r2']));
    const gathered = await caller.requestMany(subjects.health.device, {}, { tokens: ['shared'], maxWaitMs: 200 });
    expect(gathered).toHaveLength(1);
  });

  it('delivers an event to every subscriber, unless they ask for a queue', async () => {
    const heard: string[] = [];
    const listeners = ['l1', 'l2'].map((id) => {
      const bus = connect(id);
      bus.subscribe(subjects.component.state, (event) => void heard.push(`${id}:${event.component}`));
      bus.subscribe(subjects.component.state, (event) => void heard.push(`queued:${event.component}`), { queue: 'workers' });
      return bus;
    });
    const publisher = connect('publisher');
    await ready(...listeners, publisher);
    publisher.publish(subjects.component.state, ['pump'], { component: 'pump' });
    await waitFor(() => heard.length >= 3, { what: 'the events' });
    await publisher.connection?.flush();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(heard.sort()).toEqual(['l1:pump', 'l2:pump', 'queued:pump']);
  });
});
