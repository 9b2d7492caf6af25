import { Writable } from 'node:stream';
import { Controller, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, MessagePattern } from '@nestjs/microservices';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subjects } from '@lichen/contracts';
import { createLogger } from '@lichen/logging';
import { startNatsServer, waitFor, type TestNatsServer } from '@lichen/testing';
import { Bus } from '../bus.js';
import { BusContext } from './bus.context.js';
import { BusExceptionFilter } from './bus-exception.filter.js';
import { BusServer } from './bus.server.js';

@Controller()
class DeviceController {
  @MessagePattern(subjects.health.device.pattern)
  get(_request: unknown, @Ctx() context: BusContext) {
    return { deviceId: `answered for ${context.tokens[0]}` };
  }
}

@Module({ controllers: [DeviceController] })
class ServiceModule {}

const quiet = createLogger({ service: 'test', level: 'silent', destination: new Writable({ write: (_c, _e, done) => done() }) });
let nats: TestNatsServer;

beforeAll(async () => {
  nats = await startNatsServer();
});

afterAll(async () => {
  await nats?.stop({ removeData: true });
});

describe('a service that answers only its own subjects', () => {
  it('serves a pattern with the leading tokens it is given, and nothing else', async () => {
    const bus = Bus.connect({ servers: nats.url, name: 'press', logger: quiet });
    const app = await NestFactory.createMicroservice(ServiceModule, {
      strategy: new BusServer(bus, { tokens: { [subjects.health.device.pattern]: ['press-7'] } }),
      logger: false,
    });
    app.useGlobalFilters(new BusExceptionFilter());
    await app.listen();
    const caller = Bus.connect({ servers: nats.url, name: 'caller', logger: quiet });
    try {
      await caller.ready;
      await waitFor(() => caller.request(subjects.health.device, {}, { tokens: ['press-7'] }).then((reply) => reply.deviceId), {
        what: 'the service to serve its own subject',
      });
      expect((await caller.request(subjects.health.device, {}, { tokens: ['press-7'] })).deviceId).toBe('answered for press-7');
      await expect(caller.request(subjects.health.device, {}, { tokens: ['lathe-2'] })).rejects.toMatchObject({
        code: 'BUS_NO_RESPONDERS',
      });
    } finally {
      await caller.close();
      await app.close();
      await bus.close();
    }
  });
});
