import { toJson } from '@bufbuild/protobuf';
import { setTimeout as sleep } from 'node:timers/promises';
import { isDeepStrictEqual } from 'node:util';
import mqtt from 'mqtt';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Bus, BusError } from '@lichen/bus';
import { CLASSIC_SHADOW, CloudLinkState, ShadowDeltaSchema, ShadowDocumentSchema, subjects } from '@lichen/contracts';
import { waitFor, type TestNatsServer, type TestRedisServer } from '@lichen/testing';
import type { JsonObject } from '../src/domain/shadow/json-value.js';
import type { AwsIotCore } from './aws-iot-core.js';
import { CloudRig } from './cloud-rig.js';
import type { DeviceNetwork } from './device-network.js';
import { lichenCommand, LichenProcess, type CliResult } from './lichen-process.js';

// Shadow sync as its users see it: `lichen run sync-agent` with its own NATS and Redis, driven with `lichen shadow`,
// its cloud an MQTT broker on which `AwsIotCore` plays AWS IoT's shadow service and a cloud application. The device
// reaches the broker through a relay the test cuts, so it goes offline while the cloud stays up.

const thing = 'press-7';

/** The two sections of a shadow's state, without the delta the device prints. */
interface Sections {
  desired?: JsonObject;
  reported?: JsonObject;
}

/** A shadow as `lichen shadow` prints it (AWS IoT's document). */
interface PrintedShadow {
  state: Sections & { delta?: JsonObject };
  metadata: Record<string, unknown>;
  version: number;
  timestamp: number;
}

let nats: TestNatsServer;
let redis: TestRedisServer;
let rig: CloudRig | undefined;
let network: DeviceNetwork;
let cloud: AwsIotCore;
let bus: Bus;
let dataDir: string;
let agent: LichenProcess | undefined;
/** What every run of the agent printed. */
let output = '';
const deltas: { subject: string; event: Record<string, unknown> }[] = [];

/** `lichen shadow <args>` against the device. */
function lichenShadow(...args: string[]): Promise<CliResult> {
  return lichenCommand('shadow', ...args, '--nats', nats.url);
}

/** `lichen shadow <args>` that must succeed: what it printed. */
async function printed(...args: string[]): Promise<PrintedShadow> {
  const result = await lichenShadow(...args);
  expect(result.stderr, `lichen shadow ${args.join(' ')}`).toBe('');
  return JSON.parse(result.stdout) as PrintedShadow;
}

/** The device's shadow as a bus client gets it (the same JSON as the CLI prints); undefined when there is none. */
async function onDevice(shadow?: string): Promise<PrintedShadow | undefined> {
  try {
    const document = await bus.request(subjects.shadow.get, {}, { tokens: [thing, shadow ?? CLASSIC_SHADOW] });
    return toJson(ShadowDocumentSchema, document) as unknown as PrintedShadow;
  } catch (error) {
    if (error instanceof BusError && error.status === 404) return undefined;
    throw error;
  }
}

function sections(state: Sections | undefined): Sections | undefined {
  if (!state) return undefined;
  return { ...(state.desired && { desired: state.desired }), ...(state.reported && { reported: state.reported }) };
}

/** Waits until the device and the cloud both hold `expected` in the shadow; both documents then. */
async function converged(shadow: string | undefined, expected: Sections, what: string) {
  return waitFor(
    async () => {
      const device = await onDevice(shadow);
      const inCloud = cloud.shadow(thing, shadow);
      if (
        device &&
        inCloud &&
        isDeepStrictEqual(sections(device.state), expected) &&
        isDeepStrictEqual(sections(inCloud.state), expected)
      ) {
        return { device, inCloud };
      }
      throw new Error(
        `the device has ${JSON.stringify(sections(device?.state))}, the cloud ${JSON.stringify(sections(inCloud?.state))}`,
      );
    },
    { what, timeoutMs: 15_000, intervalMs: 100 },
  );
}

/** `lichen_shadow_syncs_total{result}` as `/metrics` says it. */
async function syncsCounted(result: 'synced' | 'conflict' | 'failed'): Promise<number> {
  return (await agent?.metric(`lichen_shadow_syncs_total{result="${result}"}`)) ?? Number.NaN;
}

/**
 * Makes or changes a shadow with `lichen shadow update` and waits until the agent has synced it: the cloud holds
 * `expected` and the agent counts the sync (it has then kept this state as the last one both sides had).
 */
async function madeAndSynced(shadow: string, update: string, expected: Sections): Promise<void> {
  const before = await syncsCounted('synced');
  await printed('update', thing, shadow, update);
  await converged(shadow, expected, `the ${shadow} shadow in the cloud`);
  await waitFor(async () => (await syncsCounted('synced')) > before, { what: `the agent to count the sync of ${shadow}` });
}

async function linkState(): Promise<CloudLinkState | undefined> {
  return (await bus.request(subjects.cloud.status, {})).link?.state;
}

/** Cuts the device's network and waits until the agent says it is not connected. */
async function goOffline(): Promise<void> {
  network.cut();
  await waitFor(async () => (await linkState()) !== CloudLinkState.CONNECTED, {
    what: 'the sync agent to see the link down',
    timeoutMs: 10_000,
    intervalMs: 50,
  });
}

async function goOnline(): Promise<void> {
  network.restore();
  await waitFor(async () => (await linkState()) === CloudLinkState.CONNECTED, {
    what: 'the sync agent to connect again',
    timeoutMs: 10_000,
    intervalMs: 50,
  });
}

/** Starts `lichen run sync-agent` (again, on the same data) and waits until it serves `/healthz`. */
async function startAgent(): Promise<void> {
  agent = await LichenProcess.start({
    services: ['sync-agent'],
    deviceId: thing,
    dataDir,
    natsUrl: nats.url,
    redisUrl: redis.url,
    env: {
      LICHEN_CLOUD_URL: network.url,
      LICHEN_CLOUD_THING_NAME: thing,
      LICHEN_CLOUD_SHADOWS: 'config',
      LICHEN_CLOUD_RECONNECT_MIN: '100ms',
      LICHEN_CLOUD_RECONNECT_MAX: '500ms',
    },
    onOutput: (text) => (output += text),
  });
}

beforeAll(async () => {
  rig = await CloudRig.start('shadow-sync-e2e');
  ({ nats, redis, network, cloud, bus, dataDir } = rig);
  // Made in the cloud before the device ever connects: `config` is named in LICHEN_CLOUD_SHADOWS, `firmware` is not.
  await cloud.updateShadow(thing, 'config', { state: { desired: { interval: 5 } } });
  await cloud.updateShadow(thing, 'firmware', { state: { desired: { version: '2.1.0' } } });
  bus.subscribe(subjects.shadow.delta, (event, { subject }) => {
    deltas.push({ subject, event: toJson(ShadowDeltaSchema, event) as Record<string, unknown> });
  });

  await startAgent();
  await waitFor(async () => (await linkState()) === CloudLinkState.CONNECTED, {
    what: 'the first connection',
    timeoutMs: 10_000,
  });
}, 60_000);

afterAll(async () => {
  await agent?.stop('SIGTERM');
  await rig?.stop();
}, 30_000);

beforeEach(({ onTestFailed }) => {
  onTestFailed(() => console.error(`lichen run sync-agent said:\n${output.slice(-8_000)}`));
});

// A test that fails offline leaves the next one online.
afterEach(() => network?.restore());

describe('shadow sync with the cloud', () => {
  it('brings a shadow named in LICHEN_CLOUD_SHADOWS that only the cloud has to the device when it connects', async () => {
    await waitFor(() => onDevice('config'), { what: 'the config shadow on the device', timeoutMs: 10_000 });
    const config = await printed('get', thing, 'config');
    expect(config.state).toEqual({ desired: { interval: 5 }, delta: { interval: 5 } });
    expect(await lichenShadow('get', thing, 'firmware')).toEqual({
      code: 1,
      stdout: '',
      stderr: `lichen shadow get: rejected with 404: No shadow exists with name: '${thing}/firmware'\n`,
    });
  });

  it("sends the device's update to the cloud and brings a cloud app's desired change to the device, with a delta event", async () => {
    const made = await printed('update', thing, 'fan', '--reported', '{"speed":3}');
    expect(made).toMatchObject({ state: { reported: { speed: 3 } }, version: 1 });
    const { inCloud } = await converged('fan', { reported: { speed: 3 } }, "the device's update in the cloud");
    expect(inCloud).toMatchObject({
      state: { reported: { speed: 3 } },
      metadata: { reported: { speed: { timestamp: expect.any(Number) } } },
      version: 1,
    });

    const wanted = await cloud.updateShadow(thing, 'fan', { state: { desired: { speed: 5 } } });
    expect(wanted.version).toBe(2);
    await converged('fan', { desired: { speed: 5 }, reported: { speed: 3 } }, "the cloud's desired change on the device");
    expect((await printed('get', thing, 'fan')).state).toEqual({
      desired: { speed: 5 },
      reported: { speed: 3 },
      delta: { speed: 5 },
    });
    await waitFor(() => deltas.some(({ subject }) => subject === `lichen.evt.shadow.${thing}.fan.delta`), {
      what: 'the delta event on the bus',
    });
    expect(deltas.filter(({ subject }) => subject === `lichen.evt.shadow.${thing}.fan.delta`)).toEqual([
      { subject: `lichen.evt.shadow.${thing}.fan.delta`, event: expect.objectContaining({ state: { speed: 5 } }) },
    ]);
    // Taking the cloud's change writes nothing back to the cloud.
    await sleep(300);
    expect(cloud.shadow(thing, 'fan')?.version).toBe(2);
  });

  it('merges changes made offline on both sides: reported keeps the device, desired the cloud, and nothing is lost', async () => {
    await madeAndSynced('valve', '{"state":{"desired":{"x":1},"reported":{"a":1}}}', { desired: { x: 1 }, reported: { a: 1 } });

    await goOffline();
    const deviceOffline = await printed('update', thing, 'valve', '{"state":{"desired":{"x":2},"reported":{"a":2}}}');
    await cloud.updateShadow(thing, 'valve', { state: { reported: { a: 3, b: 1 } } });
    const cloudOffline = await cloud.updateShadow(thing, 'valve', { state: { desired: { x: 3, y: 1 } } });
    // Apart, neither side hears of the other's changes.
    await sleep(500);
    expect(sections((await onDevice('valve'))?.state)).toEqual({ desired: { x: 2 }, reported: { a: 2 } });
    expect(sections(cloud.shadow(thing, 'valve')?.state)).toEqual({ desired: { x: 3, y: 1 }, reported: { a: 3, b: 1 } });

    await goOnline();
    const expected = { desired: { x: 3, y: 1 }, reported: { a: 2, b: 1 } };
    const { device, inCloud } = await converged('valve', expected, 'both sides to converge');
    expect(device.version).toBeGreaterThan(deviceOffline.version);
    expect(inCloud.version).toBeGreaterThan(cloudOffline.version);
    const shown = await printed('get', thing, 'valve');
    expect(shown.state).toEqual({ ...expected, delta: { x: 3, y: 1 } });
  });

  it("starts over when a cloud app writes between the device's read and its update, so the cloud's desired still wins", async () => {
    await madeAndSynced('pump', '{"state":{"desired":{"rate":1},"reported":{"rate":1}}}', {
      desired: { rate: 1 },
      reported: { rate: 1 },
    });
    const conflictsBefore = await syncsCounted('conflict');

    await goOffline();
    await printed('update', thing, 'pump', '--desired', '{"rate":2}');
    await cloud.updateShadow(thing, 'pump', { state: { desired: { mode: 'auto' } } });
    // A cloud app that sets the rate just after the cloud answered the device's first read of the shadow: the device's
    // update, made against that read, must not overwrite it.
    const app = await mqtt.connectAsync(rig!.broker.url, { protocolVersion: 5, clientId: 'pump-app' });
    let meddled: Promise<unknown> | undefined;
    app.on('message', () => {
      meddled ??= cloud.updateShadow(thing, 'pump', { state: { desired: { rate: 9 } } });
    });
    try {
      await app.subscribeAsync(`$aws/things/${thing}/shadow/name/pump/get/accepted`, { qos: 1 });
      await goOnline();
      const expected = { desired: { rate: 9, mode: 'auto' }, reported: { rate: 1 } };
      await converged('pump', expected, "both sides to converge on the cloud app's rate");
    } finally {
      await app.endAsync();
    }
    await expect(meddled).resolves.toMatchObject({ state: { desired: { rate: 9 } } });
    expect(await syncsCounted('conflict')).toBeGreaterThan(conflictsBefore);
  });

  it('deletes on the device a shadow deleted in the cloud while it was offline, and in the cloud one deleted on the device', async () => {
    await madeAndSynced('lamp', '{"state":{"reported":{"on":true}}}', { reported: { on: true } });
    await madeAndSynced('door', '{"state":{"reported":{"open":false}}}', { reported: { open: false } });

    await goOffline();
    await cloud.deleteShadow(thing, 'lamp');
    await printed('delete', thing, 'door');
    await sleep(300);
    expect(await onDevice('lamp')).toBeDefined();
    expect(cloud.shadow(thing, 'door')).toBeDefined();

    await goOnline();
    await waitFor(async () => (await onDevice('lamp')) === undefined && cloud.shadow(thing, 'door') === undefined, {
      what: 'each delete to reach the other side',
      timeoutMs: 15_000,
      intervalMs: 100,
    });
    const lamp = await lichenShadow('get', thing, 'lamp');
    expect(lamp.stderr).toBe(`lichen shadow get: rejected with 404: No shadow exists with name: '${thing}/lamp'\n`);
    expect(cloud.shadow(thing, 'lamp')).toBeUndefined();
    const door = await lichenShadow('get', thing, 'door');
    expect(door.stderr).toBe(`lichen shadow get: rejected with 404: No shadow exists with name: '${thing}/door'\n`);
  });

  it('keeps what was last synced through a restart of the agent while offline, so a key the cloud removed stays removed', async () => {
    await madeAndSynced('heater', '{"state":{"desired":{"temp":20,"boost":true},"reported":{"temp":18}}}', {
      desired: { temp: 20, boost: true },
      reported: { temp: 18 },
    });

    await goOffline();
    await cloud.updateShadow(thing, 'heater', { state: { desired: { temp: 22, boost: null } } });
    await printed('update', thing, 'heater', '--reported', '{"temp":19}');
    await agent?.stop('SIGTERM'); // as a service manager stops it
    await startAgent();
    await goOnline();
    // Without the last synced state, `boost` (on the device, not in the cloud) would look new and come back.
    const expected = { desired: { temp: 22 }, reported: { temp: 19 } };
    await converged('heater', expected, 'both sides to converge after the restart');
    expect((await printed('get', thing, 'heater')).state).toEqual({ ...expected, delta: { temp: 22 } });
  });

  it('syncs the classic shadow on $aws/things/<thing>/shadow/...', async () => {
    const made = await printed('update', thing, '{"state":{"reported":{"uptime":12}}}');
    expect(made).toMatchObject({ state: { reported: { uptime: 12 } }, version: 1 });
    await converged(undefined, { reported: { uptime: 12 } }, "the device's classic shadow in the cloud");
    expect(cloud.shadow(thing, CLASSIC_SHADOW)).toBeUndefined();

    await cloud.updateShadow(thing, undefined, { state: { desired: { led: 'green' } } });
    await converged(
      undefined,
      { desired: { led: 'green' }, reported: { uptime: 12 } },
      "the cloud's desired change on the device",
    );
    expect((await printed('get', thing)).state).toEqual({
      desired: { led: 'green' },
      reported: { uptime: 12 },
      delta: { led: 'green' },
    });
    await waitFor(() => deltas.some(({ subject }) => subject === `lichen.evt.shadow.${thing}.${CLASSIC_SHADOW}.delta`), {
      what: 'the delta event of the classic shadow on the bus',
    });
  });
});
