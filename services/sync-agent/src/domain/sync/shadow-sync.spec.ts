import { describe, expect, it } from 'vitest';
import { MemoryShadowStore } from '../../../test/fakes/memory-shadow-store.js';
import type { CloudLink, LinkStatus } from '../link/cloud-link.js';
import type { JsonObject } from '../shadow/json-value.js';
import { LocalShadows } from '../shadow/local-shadows.js';
import type { ShadowAddress } from '../shadow/shadow-address.js';
import type { CloudShadowReply } from './cloud-shadows.js';
import { ShadowSync, type CloudShadowsPort } from './shadow-sync.js';

const thing = 'press-7';

/** The cloud's shadows, kept with the same semantics as the device's (AWS IoT's), answering as the topics do. */
class FakeCloud implements CloudShadowsPort {
  readonly shadows = new LocalShadows({ store: new MemoryShadowStore(), log: () => undefined });
  inFlight = 0;
  mostInFlight = 0;
  /** Runs once, between the sync's get and its update: another client writing in between. */
  beforeNextUpdate: (() => Promise<unknown>) | undefined;

  async request(
    address: ShadowAddress,
    operation: 'get' | 'update' | 'delete',
    body: JsonObject = {},
  ): Promise<CloudShadowReply> {
    this.mostInFlight = Math.max(this.mostInFlight, ++this.inFlight);
    try {
      await new Promise((resolve) => setTimeout(resolve, 1));
      return await this.#answer(address, operation, body);
    } finally {
      this.inFlight--;
    }
  }

  async #answer(address: ShadowAddress, operation: 'get' | 'update' | 'delete', body: JsonObject): Promise<CloudShadowReply> {
    if (operation === 'update' && this.beforeNextUpdate) {
      const meddle = this.beforeNextUpdate;
      this.beforeNextUpdate = undefined;
      await meddle();
    }
    const result =
      operation === 'get'
        ? await this.shadows.get(address.thing, address.shadow)
        : operation === 'update'
          ? await this.shadows.update(address.thing, address.shadow, body)
          : await this.shadows.delete(address.thing, address.shadow, body);
    return result.ok
      ? { accepted: true, body: result.value as unknown as JsonObject }
      : { accepted: false, code: result.rejection.code, message: result.rejection.message };
  }

  async state(shadow: string) {
    const got = await this.shadows.get(thing, shadow);
    return got.ok ? got.value.state : undefined;
  }
}

class FakeLink implements CloudLink {
  status: LinkStatus = { state: 'disconnected', since: 0 };
  #listeners = new Set<(status: LinkStatus) => void>();
  onStatus(listener: (status: LinkStatus) => void) {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
  publish(): Promise<void> {
    throw new Error('not used');
  }
  subscribe() {
    return () => undefined;
  }
  set(state: LinkStatus['state']) {
    this.status = { state, since: 0 };
    this.#listeners.forEach((listener) => listener(this.status));
  }
}

function setup(names: string[] = [], retryDelayMs = 10_000) {
  const device = new LocalShadows({ store: new MemoryShadowStore(), log: () => undefined });
  const cloud = new FakeCloud();
  const link = new FakeLink();
  const sync = new ShadowSync({ shadows: device, cloud, link, thing, names, retryDelayMs, log: () => undefined });
  sync.start();
  const deviceState = async (shadow: string) => {
    const got = await device.get(thing, shadow);
    return got.ok ? got.value.state : undefined;
  };
  return { device, cloud, link, sync, deviceState };
}

describe('ShadowSync', () => {
  it('brings changes made offline on both sides together: reported prefers the device, desired the cloud', async () => {
    const { device, cloud, link, sync, deviceState } = setup();
    await device.update(thing, 'fan', { state: { desired: { speed: 1, mode: 'a' }, reported: { speed: 1, temp: 20 } } });
    link.set('connected');
    await sync.syncAll();
    expect(await cloud.state('fan')).toEqual({ desired: { speed: 1, mode: 'a' }, reported: { speed: 1, temp: 20 } });

    link.set('disconnected');
    await device.update(thing, 'fan', { state: { desired: { mode: 'b' }, reported: { speed: 2 } } });
    await cloud.shadows.update(thing, 'fan', {
      state: { desired: { mode: 'c', fan: 'on' }, reported: { speed: 9, temp: null } },
    });
    link.set('connected');
    await sync.syncAll();

    const converged = { desired: { speed: 1, mode: 'c', fan: 'on' }, reported: { speed: 2 } };
    expect(await deviceState('fan')).toEqual(converged);
    expect(await cloud.state('fan')).toEqual(converged);
  });

  it("makes the device's shadow in the cloud, and takes a named cloud shadow the device does not have yet", async () => {
    const { device, cloud, link, sync, deviceState } = setup(['config']);
    await device.update(thing, 'fan', { state: { reported: { speed: 3 } } });
    await cloud.shadows.update(thing, 'config', { state: { desired: { interval: 5 } } });
    link.set('connected');
    await sync.syncAll();
    expect(await cloud.state('fan')).toEqual({ reported: { speed: 3 } });
    expect(await deviceState('config')).toEqual({ desired: { interval: 5 } });
  });

  it('syncs a change made on the device while the link is up', async () => {
    const { device, cloud, link, sync } = setup();
    link.set('connected');
    await device.update(thing, 'fan', { state: { reported: { speed: 4 } } });
    await sync.syncAll();
    expect(await cloud.state('fan')).toEqual({ reported: { speed: 4 } });
  });

  it('deletes on the other side what one side deleted after a sync', async () => {
    const { device, cloud, link, sync, deviceState } = setup();
    await device.update(thing, 'a', { state: { reported: { x: 1 } } });
    await device.update(thing, 'b', { state: { reported: { y: 1 } } });
    link.set('connected');
    await sync.syncAll();
    link.set('disconnected');
    await device.delete(thing, 'a');
    await cloud.shadows.delete(thing, 'b');
    link.set('connected');
    await sync.syncAll();
    expect(await cloud.state('a')).toBeUndefined();
    expect(await deviceState('b')).toBeUndefined();
    expect(await device.listSynced()).toEqual([]);
  });

  it('starts over when the cloud changed between its read and the update, and counts the conflict', async () => {
    const { device, cloud, link, sync, deviceState } = setup();
    await cloud.shadows.update(thing, 'fan', { state: { desired: { speed: 1 } } });
    await device.update(thing, 'fan', { state: { reported: { speed: 1 } } });
    cloud.beforeNextUpdate = () => cloud.shadows.update(thing, 'fan', { state: { desired: { speed: 5 } } });
    link.set('connected');
    await sync.syncAll();
    expect(sync.counts.conflicts).toBe(1);
    expect(await cloud.state('fan')).toEqual({ desired: { speed: 5 }, reported: { speed: 1 } });
    expect(await deviceState('fan')).toEqual({ desired: { speed: 5 }, reported: { speed: 1 } });
  });

  it('keeps the requests in flight at a connection under AWS IoT limit of 10, however many shadows there are', async () => {
    const { device, cloud, link, sync } = setup();
    for (let index = 0; index < 12; index++) await device.update(thing, `s${index}`, { state: { reported: { index } } });
    link.set('connected');
    await sync.syncAll();
    expect(await cloud.state('s11')).toEqual({ reported: { index: 11 } });
    expect(cloud.mostInFlight).toBeGreaterThan(1);
    expect(cloud.mostInFlight).toBeLessThanOrEqual(4);
  });

  it('deletes nested keys deleted on either side, and what is emptied so goes, on both sides', async () => {
    const { device, cloud, link, sync, deviceState } = setup();
    await device.update(thing, 'fan', { state: { reported: { a: { x: 1, y: 1 }, b: 1 } } });
    link.set('connected');
    await sync.syncAll();
    link.set('disconnected');
    await device.update(thing, 'fan', { state: { reported: { a: { x: null } } } });
    await cloud.shadows.update(thing, 'fan', { state: { reported: { a: { y: null } } } });
    link.set('connected');
    await sync.syncAll();
    await sync.syncAll();
    expect(await deviceState('fan')).toEqual({ reported: { b: 1 } });
    expect(await cloud.state('fan')).toEqual({ reported: { b: 1 } });
  });

  it('keeps a shadow deleted on one side when the other changed it since the last sync: the change wins', async () => {
    const { device, cloud, link, sync, deviceState } = setup();
    await device.update(thing, 'kept-by-cloud', { state: { reported: { x: 1 } } });
    await device.update(thing, 'kept-by-device', { state: { reported: { y: 1 } } });
    link.set('connected');
    await sync.syncAll();
    link.set('disconnected');
    await device.delete(thing, 'kept-by-cloud');
    await cloud.shadows.update(thing, 'kept-by-cloud', { state: { desired: { x: 2 } } });
    await cloud.shadows.delete(thing, 'kept-by-device');
    await device.update(thing, 'kept-by-device', { state: { reported: { y: 2 } } });
    link.set('connected');
    await sync.syncAll();
    expect(await deviceState('kept-by-cloud')).toEqual({ desired: { x: 2 }, reported: { x: 1 } });
    expect(await cloud.state('kept-by-device')).toEqual({ reported: { y: 2 } });
  });

  it('does not ask again and again when a side refuses the merged state for what it holds', async () => {
    const { device, cloud, link, sync } = setup([], 5);
    const big = 'x'.repeat(5_000);
    await device.update(thing, 'fan', { state: { reported: { a: big } } });
    await cloud.shadows.update(thing, 'fan', { state: { desired: { b: big } } });
    link.set('connected');
    await sync.syncAll();
    const refused = sync.counts.failed;
    expect(refused).toBeGreaterThanOrEqual(1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(sync.counts.failed).toBe(refused);
    await sync.stop();
  });
});
