import { Writable } from 'node:stream';
import { fromBinary, toBinary, create } from '@bufbuild/protobuf';
import { connect, headers, type NatsConnection } from '@nats-io/transport-node';
import { Controller, Inject, Module, type DynamicModule, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { interval, map, take } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ComponentState,
  ComponentStateEventSchema,
  GetHealthRequestSchema,
  HeartbeatSchema,
  ServiceErrorSchema,
  subjects,
  type ComponentStateEvent,
  type GetHealthRequest,
} from '@lichen/contracts';
import { createLogger } from '@lichen/logging';
import { startNatsServer, waitFor, type TestNatsServer } from '@lichen/testing';
import { Bus } from '../bus.js';
import type { Reply } from '../bus.types.js';
import { BusError } from '../wire/bus-error.js';
import { BusContext } from './bus.context.js';
import { BusExceptionFilter } from './bus-exception.filter.js';
import { BusServer } from './bus.server.js';

const seenStates: string[] = [];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

@Controller()
class HealthController {
  constructor(@Inject('INSTANCE') private readonly instance: string) {}

  @MessagePattern(subjects.health.get.pattern)
  async get(@Payload() _request: GetHealthRequest, @Ctx() context: BusContext) {
    if (context.header('X-Test-Fail') === 'invalid')
      throw BusError.invalid('device unknown', [{ path: 'deviceId', reason: 'no such device' }]);
    if (context.header('X-Test-Fail') === 'crash') throw new Error('database password is hunter2');
    context.setReplyHeader('X-Instance', this.instance);
    return { deviceId: 'nest-device', hostUptimeSeconds: 12.5, versions: { subject: context.subject } };
  }

  @MessagePattern(subjects.health.device.pattern)
  async device(@Payload() _request: GetHealthRequest, @Ctx() context: BusContext) {
    const [device] = context.tokens;
    context.setReplyHeader('X-Instance', this.instance);
    if (device === 'slow') await sleep(400);
    if (device === 'iterable')
      return (async function* () {
        for (const part of ['a', 'b', 'c']) yield { deviceId: `iterable-${part}` };
      })();
    if (device === 'observable')
      return interval(5).pipe(
        take(3),
        map((n) => ({ deviceId: `observable-${n}` })),
      );
    return { deviceId: `${device}@${this.instance}` };
  }

  @EventPattern<string>(subjects.component.state.pattern)
  onState(@Payload() event: ComponentStateEvent) {
    seenStates.push(`${this.instance}:${event.component}=${ComponentState[event.state]}`);
  }
}

@Module({})
class TestModule {
  static register(instance: string): DynamicModule {
    return { module: TestModule, controllers: [HealthController], providers: [{ provide: 'INSTANCE', useValue: instance }] };
  }
}

const quiet = createLogger({ service: 'test', level: 'silent', destination: new Writable({ write: (_c, _e, done) => done() }) });
let nats: TestNatsServer;
const buses: Bus[] = [];
const apps: INestMicroservice[] = [];
let caller: Bus;
let plain: NatsConnection;

async function startApp(instance: string): Promise<INestMicroservice> {
  const bus = Bus.connect({ servers: nats.url, name: `nest-${instance}`, logger: quiet });
  buses.push(bus);
  await bus.ready;
  const app = await NestFactory.createMicroservice(TestModule.register(instance), {
    strategy: new BusServer(bus),
    logger: false,
  });
  app.useGlobalFilters(new BusExceptionFilter());
  await app.listen();
  await bus.connection?.flush();
  apps.push(app);
  return app;
}

beforeAll(async () => {
  nats = await startNatsServer();
  await startApp('a');
  plain = await connect({ servers: nats.url });
  caller = Bus.connect({ servers: nats.url, name: 'caller', logger: quiet });
  await caller.ready;
});

afterAll(async () => {
  await plain?.close();
  await caller?.close();
  for (const app of apps) await app.close();
  await Promise.all(buses.map((bus) => bus.close()));
  await nats?.stop({ removeData: true });
});

describe('a NestJS handler on the Lichen wire, called by a plain NATS client', () => {
  it('answers a JSON request with a JSON body in proto3 JSON mapping, and its reply headers', async () => {
    const h = headers();
    h.set('Content-Type', 'application/json');
    const reply = await plain.request('lichen.health.get', '{}', { headers: h, timeout: 2_000 });
    expect(reply.headers?.get('Content-Type')).toBe('application/json');
    expect(reply.headers?.get('X-Instance')).toBe('a');
    expect(reply.headers?.has('Nats-Service-Error-Code')).toBe(false);
    expect(reply.json()).toEqual({
      deviceId: 'nest-device',
      hostUptimeSeconds: 12.5,
      versions: { subject: 'lichen.health.get' },
    });
  });

  it('answers a protobuf request (no header at all) with a protobuf body', async () => {
    const reply = await plain.request('lichen.health.get', toBinary(GetHealthRequestSchema, create(GetHealthRequestSchema)), {
      timeout: 2_000,
    });
    expect(reply.headers?.get('Content-Type')).toBe('application/protobuf');
    expect(fromBinary(HeartbeatSchema, reply.data).deviceId).toBe('nest-device');
  });

  it('returns a typed error as headers and a ServiceError body', async () => {
    const h = headers();
    h.set('Content-Type', 'application/json');
    h.set('X-Test-Fail', 'invalid');
    const reply = await plain.request('lichen.health.get', '{}', { headers: h, timeout: 2_000 });
    expect(reply.headers?.get('Nats-Service-Error')).toBe('device unknown');
    expect(reply.headers?.get('Nats-Service-Error-Code')).toBe('400');
    expect(reply.json()).toEqual({
      code: 'ERROR_CODE_INVALID_ARGUMENT',
      message: 'device unknown',
      violations: [{ path: 'deviceId', reason: 'no such device' }],
    });
  });

  it('hides the details of an unexpected failure behind a 500', async () => {
    const h = headers();
    h.set('X-Test-Fail', 'crash');
    const reply = await plain.request('lichen.health.get', new Uint8Array(), { headers: h, timeout: 2_000 });
    expect(reply.headers?.get('Nats-Service-Error-Code')).toBe('500');
    expect(fromBinary(ServiceErrorSchema, reply.data).message).toBe('internal error');
    expect(new TextDecoder().decode(reply.data)).not.toContain('hunter2');
  });

  it('rejects a body that does not decode, saying what and where, and keeps serving', async () => {
    const h = headers();
    h.set('Content-Type', 'application/json');
    const bad = await plain.request('lichen.health.get', '["not", "a", "message"]', { headers: h, timeout: 2_000 });
    expect(bad.headers?.get('Nats-Service-Error-Code')).toBe('400');
    expect(bad.headers?.get('Nats-Service-Error')).toMatch(/cannot decode lichen\.v1\.GetHealthRequest from application\/json/);
    const h2 = headers();
    h2.set('Content-Type', 'text/yaml');
    const unsupported = await plain.request('lichen.health.get', 'a: 1', { headers: h2, timeout: 2_000 });
    expect(unsupported.headers?.get('Nats-Service-Error-Code')).toBe('415');
    const good = await plain.request('lichen.health.get', new Uint8Array(), { timeout: 2_000 });
    expect(fromBinary(HeartbeatSchema, good.data).deviceId).toBe('nest-device');
  });

  it('accepts a JSON body with fields it does not know', async () => {
    const h = headers();
    h.set('Content-Type', 'application/json');
    const reply = await plain.request('lichen.health.get', '{"nope": 1, "addedInV2": {"x": true}}', {
      headers: h,
      timeout: 2_000,
    });
    expect(reply.headers?.has('Nats-Service-Error-Code')).toBe(false);
    expect(reply.json()).toMatchObject({ deviceId: 'nest-device' });
  });

  it('delivers events to an @EventPattern handler', async () => {
    const event = create(ComponentStateEventSchema, { component: 'pump', state: ComponentState.RUNNING });
    plain.publish('lichen.evt.component.pump.state', toBinary(ComponentStateEventSchema, event));
    await waitFor(() => seenStates.length > 0, { what: 'the event handler' });
    expect(seenStates).toEqual(['a:pump=RUNNING']);
  });
});

describe('a NestJS handler with tokens and streams', () => {
  it('reads the tokens of the subject from its context', async () => {
    expect((await caller.request(subjects.health.device, {}, { tokens: ['press-7'] })).deviceId).toBe('press-7@a');
  });

  it('streams the items of an AsyncIterable and of an Observable of many values', async () => {
    const read = async (device: string) => {
      const items: string[] = [];
      for await (const item of caller.requestStream(subjects.health.device, {}, { tokens: [device] })) items.push(item.deviceId);
      return items;
    };
    expect(await read('iterable')).toEqual(['iterable-a', 'iterable-b', 'iterable-c']);
    expect(await read('observable')).toEqual(['observable-0', 'observable-1', 'observable-2']);
  });
});

describe('NestJS handlers in several replicas', () => {
  it('shares a request pattern among replicas, and lets every replica answer a fan-out one', async () => {
    await startApp('b');
    const answeredBy = new Set<string>();
    for (let i = 0; i < 30; i++) answeredBy.add((await caller.request(subjects.health.device, {}, { tokens: ['x'] })).deviceId);
    expect(answeredBy).toEqual(new Set(['x@a', 'x@b']));
    const gathered = await caller.requestMany(subjects.health.device, {}, { tokens: ['x'], maxWaitMs: 200 });
    expect(gathered).toHaveLength(1);

    const all = await caller.requestMany(subjects.health.get, {}, { maxWaitMs: 300 });
    const instances = all.map((reply) => (reply as Reply<typeof HeartbeatSchema>).headers?.get('X-Instance')).sort();
    expect(instances).toEqual(['a', 'b']);

    seenStates.length = 0;
    plain.publish(
      'lichen.evt.component.valve.state',
      toBinary(ComponentStateEventSchema, create(ComponentStateEventSchema, { component: 'valve' })),
    );
    await waitFor(() => seenStates.length === 2, { what: 'both replicas to hear the event' });
    expect(seenStates.sort()).toEqual(['a:valve=UNSPECIFIED', 'b:valve=UNSPECIFIED']);
  });

  it('answers the requests in flight when the application closes, and then takes no more', async () => {
    const app = apps.pop()!;
    const first = apps[0]!;
    apps.length = 0;
    await first.close();
    const inFlight = caller.request(subjects.health.device, {}, { tokens: ['slow'], timeoutMs: 3_000 });
    await sleep(100);
    await app.close();
    expect((await inFlight).deviceId).toBe('slow@b');
    await expect(caller.request(subjects.health.device, {}, { tokens: ['x'] })).rejects.toMatchObject({
      code: 'BUS_NO_RESPONDERS',
    });
  });
});
