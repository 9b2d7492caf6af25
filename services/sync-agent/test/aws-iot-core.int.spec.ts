import { randomUUID } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startMosquitto, type TestMosquitto } from '@lichen/testing';
import { AwsIotCore } from './aws-iot-core.js';

// The harness against the machine's Mosquitto, driven by a plain MQTT client the way a device drives AWS IoT Core.
/** A Mosquitto of this spec's own, standing in for AWS IoT Core's broker. */
let broker: TestMosquitto;
let BROKER: string;
const WAIT_MS = 5_000;

interface Received {
  topic: string;
  body: Record<string, unknown>;
}

/** A device: subscribes to reply topics, publishes JSON requests, waits for what comes back. */
class Device {
  readonly messages: Received[] = [];
  private constructor(private readonly client: MqttClient) {
    client.on('message', (topic, payload) =>
      this.messages.push({ topic, body: JSON.parse(payload.toString()) as Record<string, unknown> }),
    );
  }

  static async connect(protocolVersion: 4 | 5 = 5): Promise<Device> {
    const client = await mqtt.connectAsync(BROKER, {
      protocolVersion,
      clientId: `device-${randomUUID().slice(0, 8)}`,
      reconnectPeriod: 0,
    });
    return new Device(client);
  }

  async subscribe(...topics: string[]): Promise<void> {
    await this.client.subscribeAsync(topics, { qos: 1 });
  }

  async publish(topic: string, body: unknown = {}, userProperties?: Record<string, string>): Promise<void> {
    const payload = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
    await this.client.publishAsync(topic, payload, { qos: 1, ...(userProperties ? { properties: { userProperties } } : {}) });
  }

  /** The `index`-th message (0: the first) that arrived on `topic`, waiting for it. */
  async nth(topic: string, index = 0): Promise<Record<string, unknown>> {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const found = this.on(topic)[index];
      if (found) return found;
      if (Date.now() > deadline) {
        throw new Error(`no message #${index} on ${topic}; got ${JSON.stringify(this.messages.map((message) => message.topic))}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  on(topic: string): Record<string, unknown>[] {
    return this.messages.filter((message) => message.topic === topic).map((message) => message.body);
  }

  close(): Promise<void> {
    return this.client.endAsync();
  }
}

let cloud: AwsIotCore;
const devices: Device[] = [];

async function device(protocolVersion: 4 | 5 = 5): Promise<Device> {
  const made = await Device.connect(protocolVersion);
  devices.push(made);
  return made;
}

const uniqueThing = () => `thing-${randomUUID().slice(0, 8)}`;
const reply = (prefix: string, ...stubs: string[]) => stubs.map((stub) => `${prefix}/${stub}`);

beforeAll(async () => {
  broker = await startMosquitto();
  BROKER = broker.url;
  cloud = await AwsIotCore.connect(BROKER);
});
afterEach(async () => {
  await Promise.all(devices.splice(0).map((each) => each.close()));
});
afterAll(async () => {
  await cloud?.close();
  await broker?.stop({ removeData: true });
});

describe('AWS IoT Core harness: device shadows', () => {
  it('accepts an update on a named shadow, then rejects a stale version with 409', async () => {
    const thing = uniqueThing();
    const prefix = `$aws/things/${thing}/shadow/name/config`;
    const plc = await device();
    await plc.subscribe(...reply(prefix, 'update/accepted', 'update/rejected', 'update/delta', 'update/documents'));

    await plc.publish(`${prefix}/update`, { state: { reported: { fan: { speed: 1 } } }, clientToken: 'first' });
    const accepted = await plc.nth(`${prefix}/update/accepted`);
    expect(accepted).toEqual({
      state: { reported: { fan: { speed: 1 } } },
      metadata: { reported: { fan: { speed: { timestamp: expect.any(Number) } } } },
      version: 1,
      timestamp: expect.any(Number),
      clientToken: 'first',
    });
    expect(await plc.nth(`${prefix}/update/documents`)).toEqual({
      current: { state: { reported: { fan: { speed: 1 } } }, metadata: accepted.metadata, version: 1 },
      timestamp: expect.any(Number),
      clientToken: 'first',
    });

    await plc.publish(`${prefix}/update`, { state: { reported: { fan: { speed: 2 } } }, version: 7, clientToken: 'stale' });
    expect(await plc.nth(`${prefix}/update/rejected`)).toEqual({
      code: 409,
      message: 'Version conflict',
      timestamp: expect.any(Number),
      clientToken: 'stale',
    });
    expect(plc.on(`${prefix}/update/delta`)).toEqual([]);
    expect(cloud.shadow(thing, 'config')).toMatchObject({ state: { reported: { fan: { speed: 1 } } }, version: 1 });
  });

  it('publishes the delta and both documents when the cloud asks for what the device does not report', async () => {
    const thing = uniqueThing();
    const prefix = `$aws/things/${thing}/shadow/name/config`;
    const plc = await device();
    await plc.subscribe(...reply(prefix, 'update/accepted', 'update/delta', 'update/documents', 'get/accepted'));
    await plc.publish(`${prefix}/update`, { state: { reported: { fan: 1, light: 'off' } } });
    await plc.nth(`${prefix}/update/accepted`);

    const document = await cloud.updateShadow(thing, 'config', { state: { desired: { fan: 3, light: 'off' } } });
    expect(document.version).toBe(2);
    expect(await plc.nth(`${prefix}/update/delta`)).toEqual({
      state: { fan: 3 },
      metadata: { fan: { timestamp: expect.any(Number) } },
      version: 2,
      timestamp: expect.any(Number),
    });
    const documents = await plc.nth(`${prefix}/update/documents`, 1);
    expect(documents).toMatchObject({
      previous: { state: { reported: { fan: 1, light: 'off' } }, version: 1 },
      current: { state: { desired: { fan: 3, light: 'off' }, reported: { fan: 1, light: 'off' } }, version: 2 },
    });
    // AWS publishes /update/accepted for an UpdateThingShadow call too, without a client token of the device's
    expect(await plc.nth(`${prefix}/update/accepted`, 1)).toMatchObject({
      state: { desired: { fan: 3, light: 'off' } },
      version: 2,
    });

    await plc.publish(`${prefix}/get`, { clientToken: 'look' });
    expect(await plc.nth(`${prefix}/get/accepted`)).toEqual({
      state: { desired: { fan: 3, light: 'off' }, reported: { fan: 1, light: 'off' }, delta: { fan: 3 } },
      metadata: {
        desired: { fan: { timestamp: expect.any(Number) }, light: { timestamp: expect.any(Number) } },
        reported: { fan: { timestamp: expect.any(Number) }, light: { timestamp: expect.any(Number) } },
      },
      version: 2,
      timestamp: expect.any(Number),
      clientToken: 'look',
    });

    await plc.publish(`${prefix}/update`, { state: { reported: { fan: 3 } } });
    await plc.nth(`${prefix}/update/accepted`, 2);
    expect(plc.on(`${prefix}/update/delta`)).toHaveLength(1);
  });

  it('answers 404 for a shadow that does not exist, on the classic topics and on named ones', async () => {
    const thing = uniqueThing();
    const classic = `$aws/things/${thing}/shadow`;
    const named = `${classic}/name/missing`;
    const plc = await device(4);
    await plc.subscribe(...reply(classic, 'get/rejected', 'delete/rejected'), ...reply(named, 'get/rejected'));

    await plc.publish(`${classic}/get`, '');
    await plc.publish(`${named}/get`, { clientToken: 'where' });
    await plc.publish(`${classic}/delete`, '');
    expect(await plc.nth(`${classic}/get/rejected`)).toEqual({
      code: 404,
      message: `No shadow exists with name: '${thing}'`,
      timestamp: expect.any(Number),
    });
    expect(await plc.nth(`${named}/get/rejected`)).toEqual({
      code: 404,
      message: "No shadow exists with name: 'missing'",
      timestamp: expect.any(Number),
      clientToken: 'where',
    });
    expect(await plc.nth(`${classic}/delete/rejected`)).toMatchObject({ code: 404 });
  });

  it('keeps the classic shadow apart from named ones, deletes it, and counts on from its version', async () => {
    const thing = uniqueThing();
    const classic = `$aws/things/${thing}/shadow`;
    const plc = await device();
    await plc.subscribe(...reply(classic, 'update/accepted', 'get/accepted', 'get/rejected', 'delete/accepted'));

    await plc.publish(`${classic}/update`, { state: { reported: { mode: 'run' } } });
    await plc.nth(`${classic}/update/accepted`);
    expect(cloud.shadow(thing)).toMatchObject({ state: { reported: { mode: 'run' } }, version: 1 });
    expect(cloud.shadow(thing, 'run')).toBeUndefined();

    await plc.publish(`${classic}/delete`, { clientToken: 'bye' });
    expect(await plc.nth(`${classic}/delete/accepted`)).toEqual({
      version: 1,
      timestamp: expect.any(Number),
      clientToken: 'bye',
    });
    await plc.publish(`${classic}/get`, '');
    await plc.nth(`${classic}/get/rejected`);
    expect(cloud.shadow(thing)).toBeUndefined();

    await plc.publish(`${classic}/update`, { state: { reported: { mode: 'idle' } } });
    expect(await plc.nth(`${classic}/update/accepted`, 1)).toMatchObject({ version: 2 });
    await cloud.deleteShadow(thing);
    expect(await plc.nth(`${classic}/delete/accepted`, 1)).toEqual({ version: 2, timestamp: expect.any(Number) });
  });

  it('rejects a body that is not an update with 400 and one over 8 KB with 413', async () => {
    const thing = uniqueThing();
    const prefix = `$aws/things/${thing}/shadow/name/config`;
    const plc = await device();
    await plc.subscribe(`${prefix}/update/rejected`);

    await plc.publish(`${prefix}/update`, '{"state": ');
    await plc.publish(`${prefix}/update`, { state: { wanted: { a: 1 } }, clientToken: 'odd' });
    await plc.publish(`${prefix}/update`, { state: { reported: { blob: 'x'.repeat(9_000) } } });
    expect(await plc.nth(`${prefix}/update/rejected`, 0)).toEqual({
      code: 400,
      message: 'Invalid JSON',
      timestamp: expect.any(Number),
    });
    expect(await plc.nth(`${prefix}/update/rejected`, 1)).toEqual({
      code: 400,
      message: 'State contains an invalid node: wanted',
      timestamp: expect.any(Number),
      clientToken: 'odd',
    });
    expect(await plc.nth(`${prefix}/update/rejected`, 2)).toMatchObject({ code: 413 });
    expect(cloud.shadow(thing, 'config')).toBeUndefined();
    await expect(cloud.updateShadow(thing, 'config', { state: {}, version: 3 })).rejects.toThrow(/409 Version conflict/);
  });
});

describe('AWS IoT Core harness: jobs', () => {
  it('finds a job queued before the device listened with $next/get, then takes it to SUCCEEDED with expectedVersion', async () => {
    const thing = uniqueThing();
    const jobs = `$aws/things/${thing}/jobs`;
    await cloud.createJob(thing, 'deploy-1', { deployment: { name: 'line-3', revision: 7 } });
    const plc = await device();
    await plc.subscribe(...reply(jobs, '$next/get/accepted', 'deploy-1/update/accepted'));

    await plc.publish(`${jobs}/$next/get`, { clientToken: 'boot' });
    expect(await plc.nth(`${jobs}/$next/get/accepted`)).toEqual({
      timestamp: expect.any(Number),
      clientToken: 'boot',
      execution: {
        jobId: 'deploy-1',
        thingName: thing,
        status: 'QUEUED',
        queuedAt: expect.any(Number),
        lastUpdatedAt: expect.any(Number),
        versionNumber: 1,
        executionNumber: 1,
        jobDocument: { deployment: { name: 'line-3', revision: 7 } },
      },
    });

    await plc.publish(`${jobs}/deploy-1/update`, {
      status: 'IN_PROGRESS',
      statusDetails: { step: 'installing' },
      expectedVersion: 1,
      includeJobExecutionState: true,
      clientToken: 'start',
    });
    expect(await plc.nth(`${jobs}/deploy-1/update/accepted`)).toEqual({
      timestamp: expect.any(Number),
      clientToken: 'start',
      executionState: { status: 'IN_PROGRESS', statusDetails: { step: 'installing' }, versionNumber: 2 },
    });
    await plc.publish(`${jobs}/deploy-1/update`, { status: 'SUCCEEDED', expectedVersion: 2 });
    expect(await plc.nth(`${jobs}/deploy-1/update/accepted`, 1)).toEqual({ timestamp: expect.any(Number) });

    expect(await cloud.waitForExecution(thing, 'deploy-1', (execution) => execution.status === 'SUCCEEDED')).toEqual({
      status: 'SUCCEEDED',
      statusDetails: { step: 'installing' },
      versionNumber: 3,
      history: ['QUEUED', 'IN_PROGRESS', 'SUCCEEDED'],
    });
    await plc.publish(`${jobs}/$next/get`, {});
    expect(await plc.nth(`${jobs}/$next/get/accepted`, 1)).toEqual({ timestamp: expect.any(Number) });
  });

  it('rejects a wrong expectedVersion, a finished execution, a status a device may not set and an unknown job', async () => {
    const thing = uniqueThing();
    const jobs = `$aws/things/${thing}/jobs`;
    await cloud.createJob(thing, 'deploy-2', { revision: 1 });
    const plc = await device();
    await plc.subscribe(...reply(jobs, 'deploy-2/update/accepted', 'deploy-2/update/rejected', 'ghost/update/rejected'));

    await plc.publish(`${jobs}/deploy-2/update`, { status: 'IN_PROGRESS', expectedVersion: 4, clientToken: 'late' });
    expect(await plc.nth(`${jobs}/deploy-2/update/rejected`)).toEqual({
      code: 'VersionMismatch',
      message: expect.stringContaining('version'),
      timestamp: expect.any(Number),
      clientToken: 'late',
      executionState: { status: 'QUEUED', versionNumber: 1 },
    });
    await plc.publish(`${jobs}/deploy-2/update`, { status: 'QUEUED' });
    expect(await plc.nth(`${jobs}/deploy-2/update/rejected`, 1)).toMatchObject({
      code: 'InvalidRequest',
      message: expect.stringContaining('status'),
    });
    await plc.publish(`${jobs}/deploy-2/update`, { status: 'FAILED', statusDetails: { reason: 'image missing' } });
    await plc.nth(`${jobs}/deploy-2/update/accepted`);
    await plc.publish(`${jobs}/deploy-2/update`, { status: 'IN_PROGRESS' });
    expect(await plc.nth(`${jobs}/deploy-2/update/rejected`, 2)).toMatchObject({
      code: 'InvalidStateTransition',
      executionState: { status: 'FAILED', statusDetails: { reason: 'image missing' }, versionNumber: 2 },
    });
    await plc.publish(`${jobs}/ghost/update`, { status: 'SUCCEEDED' });
    expect(await plc.nth(`${jobs}/ghost/update/rejected`)).toMatchObject({ code: 'ResourceNotFound' });
    await plc.publish(`${jobs}/deploy-2/update`, 'not json');
    expect(await plc.nth(`${jobs}/deploy-2/update/rejected`, 3)).toMatchObject({ code: 'InvalidJson' });
    expect(cloud.execution(thing, 'deploy-2')).toMatchObject({ status: 'FAILED', history: ['QUEUED', 'FAILED'] });
  });

  it('says notify-next when a job becomes the next one, and again with the following one when it finishes', async () => {
    const thing = uniqueThing();
    const jobs = `$aws/things/${thing}/jobs`;
    const plc = await device();
    await plc.subscribe(`${jobs}/notify-next`, `${jobs}/start-next/accepted`, `${jobs}/first/update/accepted`);

    await cloud.createJob(thing, 'first', { revision: 1 });
    await cloud.createJob(thing, 'second', { revision: 2 });
    expect(await plc.nth(`${jobs}/notify-next`)).toEqual({
      timestamp: expect.any(Number),
      execution: {
        jobId: 'first',
        status: 'QUEUED',
        queuedAt: expect.any(Number),
        lastUpdatedAt: expect.any(Number),
        versionNumber: 1,
        executionNumber: 1,
        jobDocument: { revision: 1 },
      },
    });

    await plc.publish(`${jobs}/start-next`, { statusDetails: { step: 'pulling' } });
    expect(await plc.nth(`${jobs}/start-next/accepted`)).toMatchObject({
      execution: {
        jobId: 'first',
        status: 'IN_PROGRESS',
        statusDetails: { step: 'pulling' },
        versionNumber: 2,
        startedAt: expect.any(Number),
      },
    });
    await plc.publish(`${jobs}/first/update`, { status: 'SUCCEEDED', expectedVersion: 2 });
    await plc.nth(`${jobs}/first/update/accepted`);
    // the second job was queued while the first was next: no notify-next until the first finished
    expect(await plc.nth(`${jobs}/notify-next`, 1)).toMatchObject({
      execution: { jobId: 'second', status: 'QUEUED', jobDocument: { revision: 2 } },
    });

    await cloud.cancelJob(thing, 'second');
    expect(await plc.nth(`${jobs}/notify-next`, 2)).toEqual({ timestamp: expect.any(Number) });
    expect(plc.on(`${jobs}/notify-next`)).toHaveLength(3);
    expect(cloud.execution(thing, 'second')?.history).toEqual(['QUEUED', 'CANCELED']);
  });
});

describe('AWS IoT Core harness: what the device publishes', () => {
  it('keeps the payload bytes and MQTT 5 user properties of what arrives on listened topics', async () => {
    const line = `line-${randomUUID().slice(0, 8)}`;
    await cloud.listen(`factory/${line}/#`);
    const plc = await device();
    const binary = Buffer.from([0, 1, 254, 255]);
    await plc.publish(`factory/${line}/alerts`, binary, { 'lichen-message-id': 'm-1' });
    await plc.publish(`factory/${line}/alerts`, binary, { 'lichen-message-id': 'm-1' });
    await plc.publish(`factory/${line}/temps`, { t: 45 }, { 'lichen-message-id': 'm-2' });

    const messages = await cloud.waitForMessages(`factory/${line}/#`, 3);
    expect(messages.map((message) => message.topic)).toEqual([
      `factory/${line}/alerts`,
      `factory/${line}/alerts`,
      `factory/${line}/temps`,
    ]);
    expect(messages[0]!.payload.equals(binary)).toBe(true);
    expect(new Set(messages.map((message) => message.userProperties['lichen-message-id']))).toEqual(new Set(['m-1', 'm-2']));
    expect(cloud.received(`factory/${line}/alerts`)).toHaveLength(2);
    await expect(cloud.waitForMessages(`factory/${line}/#`, 4, 300)).rejects.toThrow(/3 of 4 messages/);
  });

  it('answers each request once when a listened filter overlaps the request topics', async () => {
    const thing = uniqueThing();
    const prefix = `$aws/things/${thing}/shadow/name/config`;
    await cloud.listen(`$aws/things/${thing}/#`);
    const plc = await device();
    await plc.subscribe(`${prefix}/update/accepted`);

    await plc.publish(`${prefix}/update`, { state: { reported: { on: true } } });
    await plc.nth(`${prefix}/update/accepted`);
    await cloud.waitForMessages(`${prefix}/update/accepted`, 1);
    expect(cloud.received(`${prefix}/update`)).toHaveLength(1);
    expect(cloud.shadow(thing, 'config')?.version).toBe(1);
    expect(plc.on(`${prefix}/update/accepted`)).toHaveLength(1);
  });
});
