import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bus } from '@lichen/bus';
import { createLogger } from '@lichen/logging';
import {
  startMosquitto,
  startNatsServer,
  startRedisServer,
  type TestMosquitto,
  type TestNatsServer,
  type TestRedisServer,
} from '@lichen/testing';
import { AwsIotCore } from './aws-iot-core.js';
import { DeviceNetwork } from './device-network.js';

/**
 * What a sync agent e2e spec runs around the device: its own NATS (JetStream) and Redis, a Mosquitto as the cloud
 * broker with `AwsIotCore` playing AWS IoT on it, the device's network to it (the test cuts and restores it), a
 * data folder, and a bus client. `stop()` takes it all down.
 */
export class CloudRig {
  private constructor(
    readonly nats: TestNatsServer,
    readonly redis: TestRedisServer,
    readonly broker: TestMosquitto,
    readonly network: DeviceNetwork,
    readonly cloud: AwsIotCore,
    readonly dataDir: string,
    readonly bus: Bus,
  ) {}

  static async start(name: string): Promise<CloudRig> {
    const [nats, redis, broker] = await Promise.all([startNatsServer({ jetstream: true }), startRedisServer(), startMosquitto()]);
    const network = await DeviceNetwork.open(broker.port);
    const cloud = await AwsIotCore.connect(broker.url);
    const dataDir = await mkdtemp(join(tmpdir(), `lichen-${name}-`));
    const bus = Bus.connect({ servers: nats.url, name, logger: createLogger({ service: name, level: 'silent' }) });
    await bus.ready;
    return new CloudRig(nats, redis, broker, network, cloud, dataDir, bus);
  }

  async stop(): Promise<void> {
    await this.cloud.close();
    await this.bus.close();
    await this.network.close();
    await Promise.all([
      this.broker.stop({ removeData: true }),
      this.nats.stop({ removeData: true }),
      this.redis.stop({ removeData: true }),
    ]);
    await rm(this.dataDir, { recursive: true, force: true });
  }
}
