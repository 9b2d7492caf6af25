import { describe, expect, it } from 'vitest';
import { componentSpec } from '../../../test/fakes/component-spec.js';
import { MemoryBusUsers } from '../../../test/fakes/memory-bus-users.js';
import { BusAccess } from './bus-access.js';

const derive = (text: string) => `pw(${text.replace('\n', '/')})`;

describe('BusAccess', () => {
  it('gives a component a user with its permissions and what every component needs', async () => {
    const bus = new MemoryBusUsers();
    const access = new BusAccess(bus, derive);
    const spec = componentSpec('sensor', { permissions: { publish: ['data.vibration.>'], subscribe: ['cmd.sensor'] } });
    const env = await access.grant(spec);
    expect(env).toEqual({
      LICHEN_NATS_USER: 'component-sensor',
      LICHEN_NATS_PASSWORD: expect.stringMatching(/^pw\(sensor\//),
      LICHEN_NATS_INBOX_PREFIX: '_INBOX.component-sensor',
    });
    expect(bus.users).toEqual([
      {
        kind: 'component',
        owner: 'sensor',
        name: 'component-sensor',
        password: env.LICHEN_NATS_PASSWORD,
        publish: ['data.vibration.>', 'lichen.components.sensor.config'],
        subscribe: ['cmd.sensor', 'lichen.components.sensor.config.changed', '_INBOX.component-sensor.>'],
      },
    ]);
  });

  it('keeps the password when only permissions change, and rotates it when the instance changes', async () => {
    const bus = new MemoryBusUsers();
    const access = new BusAccess(bus, derive);
    const first = await access.grant(
      componentSpec('sensor', { image: 'sensor:1', permissions: { publish: ['data.>'], subscribe: [] } }),
    );
    const narrowed = await access.grant(
      componentSpec('sensor', { image: 'sensor:1', permissions: { publish: [], subscribe: [] } }),
    );
    expect(narrowed).toEqual(first);
    expect(bus.changes).toBe(2);
    const replaced = await access.grant(componentSpec('sensor', { image: 'sensor:2' }));
    expect(replaced.LICHEN_NATS_PASSWORD).not.toBe(first.LICHEN_NATS_PASSWORD);
  });

  it('changes nothing on the bus when a grant changes nothing', async () => {
    const bus = new MemoryBusUsers();
    const access = new BusAccess(bus, derive);
    await access.grant(componentSpec('a'));
    await access.grant(componentSpec('a'));
    await access.keepOnly([componentSpec('a')]);
    expect(bus.changes).toBe(1);
  });

  it('removes the users of components that are gone', async () => {
    const bus = new MemoryBusUsers();
    const access = new BusAccess(bus, derive);
    await access.grant(componentSpec('a'));
    await access.grant(componentSpec('b'));
    await access.revoke('a');
    expect(bus.users.map((user) => user.owner)).toEqual(['b']);
    await access.keepOnly([componentSpec('c')]);
    expect(bus.users.map((user) => user.owner)).toEqual(['c']);
  });

  it("gives client devices their users from the deployment's hashes, beside the components'", async () => {
    const bus = new MemoryBusUsers();
    const access = new BusAccess(bus, derive);
    await access.grant(componentSpec('a'));
    const plc = {
      name: 'plc-7',
      passwordHash: '$2a$10$hash',
      permissions: { publish: ['sensors.plc-7.>'], subscribe: ['cmd.plc-7'] },
    };
    await access.setDevices([plc]);
    expect(bus.users.map((user) => user.name)).toEqual(['component-a', 'device-plc-7']);
    expect(bus.users[1]).toEqual({
      kind: 'device',
      owner: 'plc-7',
      name: 'device-plc-7',
      passwordHash: '$2a$10$hash',
      publish: ['sensors.plc-7.>'],
      subscribe: ['cmd.plc-7', '$MQTT.sub.>'],
    });
    await access.setDevices([{ ...plc, permissions: { publish: [], subscribe: ['cmd.plc-7.>'] } }]);
    expect(bus.users[1]).toMatchObject({ subscribe: ['cmd.plc-7.>', 'cmd.plc-7', '$MQTT.sub.>'] });
    await access.setDevices([plc]);
    await access.setDevices([plc]);
    expect(bus.changes).toBe(4);
    await access.setDevices([]);
    expect(bus.users.map((user) => user.name)).toEqual(['component-a']);
  });

  it('takes back what NATS refuses: a retry asks again, and later changes do not carry it', async () => {
    const bus = new MemoryBusUsers();
    const access = new BusAccess(bus, derive);
    await access.grant(componentSpec('good'));
    bus.refuse = (users) => users.some((user) => user.publish.includes('bad'));
    await expect(access.grant(componentSpec('bad', { permissions: { publish: ['bad'], subscribe: [] } }))).rejects.toThrow(
      'refused',
    );
    await access.grant(componentSpec('other'));
    expect(bus.users.map((user) => user.owner)).toEqual(['good', 'other']);
    bus.refuse = undefined;
    await access.grant(componentSpec('bad', { permissions: { publish: ['bad'], subscribe: [] } }));
    expect(bus.users.map((user) => user.owner)).toEqual(['good', 'other', 'bad']);
  });

  it('fails only the change NATS refuses in a batch, and never brings back a user revoked meanwhile', async () => {
    const pushed: string[][] = [];
    let release: () => void = () => undefined;
    const slow = new Promise<void>((resolve) => (release = resolve));
    const port = {
      enforced: true,
      setUsers: async (users: readonly { owner: string; publish: readonly string[] }[]) => {
        if (pushed.length === 0) await slow;
        if (users.some((user) => user.publish.includes('bad'))) throw new Error('refused');
        pushed.push(users.map((user) => user.owner));
      },
    };
    const access = new BusAccess(port, derive);
    const first = access.grant(componentSpec('a'));
    const bad = access.grant(componentSpec('bad', { permissions: { publish: ['bad'], subscribe: [] } }));
    const good = access.grant(componentSpec('good'));
    const revoked = access.revoke('a');
    release();
    const results = await Promise.allSettled([first, bad, good, revoked]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    await access.grant(componentSpec('c'));
    expect(pushed.at(-1)).toEqual(['good', 'c']);
  });

  it('gives no credentials when Lichen does not manage the bus users', async () => {
    const access = new BusAccess({ enforced: false, setUsers: async () => expect.fail('no users to set') }, derive);
    expect(await access.grant(componentSpec('a'))).toEqual({});
  });
});
