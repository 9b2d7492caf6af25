import { Writable } from 'node:stream';
import { fromBinary, toBinary, create } from '@bufbuild/protobuf';
import { connect, headers, type NatsConnection } from '@nats-io/transport-node';
import { Controller, Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
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
import { BusError } from '../wire/bus-error.js';
import { BusContext } from './bus.context.js';
import { BusExceptionFilter } from './bus-exception.filter.js';
import { BusServer } from './bus.server.js';

const seenStates: string[] = [];

@Controller()
class HealthController {
  @MessagePattern(subjects.health.get.subject)
  async get(@Payload() _request: GetHealthRequest, @Ctx() context: BusContext) {
    if (context.header('X-Test-Fail') === 'invalid')
      throw BusError.invalid('device unknown', [{ path: 'deviceId', reason: 'no such device' }]);
    if (context.header('X-Test-Fail') === 'crash') throw new Error('database password is hunter2');
    return { deviceId: 'nest-device', hostUptimeSeconds: 12.5, versions: { subject: context.subject } };
  }

  @EventPattern<string>(subjects.component.state.pattern)
  onState(@Payload() event: ComponentStateEvent) {
    seenStates.push(`${event.component}=${ComponentState[event.state]}`);
  }
}

@Module({ controllers: [HealthController] })
class TestModule {}

const quiet = createLogger({ service: 'test', level: 'silent', destination: new Writable({ write: (_c, _e, done) => done() }) });
let nats: TestNatsServer;
let bus: Bus;
let app: INestMicroservice;
let plain: NatsConnection;

beforeAll(async () => {
  nats = await startNatsServer();
  bus = Bus.connect({ servers: nats.url, name: 'nest', logger: quiet });
  await bus.ready;
  app = await NestFactory.createMicroservice(TestModule, { strategy: new BusServer(bus), logger: false });
  app.useGlobalFilters(new BusExceptionFilter());
  await app.listen();
  await bus.connection?.flush();
  plain = await connect({ servers: nats.url });
});

afterAll(async () => {
  await plain?.close();
  await app?.close();
  await bus?.close();
  await nats?.stop({ removeData: true });
});

describe('a NestJS handler on the Lichen wire, called by a plain NATS client', () => {
  it('answers a JSON request with a JSON body in proto3 JSON mapping', async () => {
    const h = headers();
    h.set('Content-Type', 'application/json');
    const reply = await plain.request('lichen.health.get', '{}', { headers: h, timeout: 2_000 });
    expect(reply.headers?.get('Content-Type')).toBe('application/json');
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
    const bad = await plain.request('lichen.health.get', '{"nope": 1}', { headers: h, timeout: 2_000 });
    expect(bad.headers?.get('Nats-Service-Error-Code')).toBe('400');
    expect(bad.headers?.get('Nats-Service-Error')).toMatch(/cannot decode lichen\.v1\.GetHealthRequest from application\/json/);
    const h2 = headers();
    h2.set('Content-Type', 'text/yaml');
    const unsupported = await plain.request('lichen.health.get', 'a: 1', { headers: h2, timeout: 2_000 });
    expect(unsupported.headers?.get('Nats-Service-Error-Code')).toBe('415');
    const good = await plain.request('lichen.health.get', new Uint8Array(), { timeout: 2_000 });
    expect(fromBinary(HeartbeatSchema, good.data).deviceId).toBe('nest-device');
  });

  it('delivers events to an @EventPattern handler', async () => {
    const event = create(ComponentStateEventSchema, { component: 'pump', state: ComponentState.RUNNING });
    plain.publish('lichen.evt.component.pump.state', toBinary(ComponentStateEventSchema, event));
    await waitFor(() => seenStates.length > 0, { what: 'the event handler' });
    expect(seenStates).toEqual(['pump=RUNNING']);
  });
});
