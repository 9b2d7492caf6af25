import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '@lichen/logging';
import { ManagedBusAuthority } from './bus-authority.js';
import type { BusUser } from './bus-user.js';
import type { UsersTarget } from './nats-users-file.js';
import type { PasswordSealer, SealedPassword } from './password-sealer.js';
import { UnmanagedBusAuthority } from './unmanaged-bus-authority.js';
import type { GroupStore, UserGroups } from './users-store.js';

/** A users file that records what it was given; `hold()` keeps the next apply waiting until released. */
class FakeTarget implements UsersTarget {
  readonly applied: string[] = [];
  #gate: Promise<void> | undefined;
  #inFlight = 0;
  refuse: string | undefined;

  hold(): () => void {
    let release!: () => void;
    this.#gate = new Promise((resolve) => (release = resolve));
    return release;
  }

  async apply(text: string): Promise<void> {
    const gate = this.#gate;
    this.#gate = undefined;
    if (++this.#inFlight > 1) throw new Error('two changes at once');
    await gate;
    this.#inFlight -= 1;
    if (this.refuse && text.includes(this.refuse)) throw new Error(`refused ${this.refuse}`);
    this.applied.push(text);
  }

  /** The user names in the last file applied. */
  get users(): string[] {
    return [...(this.applied.at(-1) ?? '').matchAll(/user: "([^"]+)"/g)].map((match) => match[1]!);
  }
}

class FakeSealer implements PasswordSealer {
  hashed = 0;
  async seal(plain: string, previous?: SealedPassword): Promise<SealedPassword> {
    if (previous?.digest === `d:${plain}`) return previous;
    this.hashed += 1;
    return { hash: `h:${plain}`, digest: `d:${plain}` };
  }
}

class FakeStore implements GroupStore {
  constructor(public groups: UserGroups = new Map()) {}
  load(): UserGroups {
    return this.groups;
  }
  save(groups: UserGroups): void {
    this.groups = groups;
  }
}

const host: BusUser[] = [
  { name: 'lichen', password: 'runtime' },
  { name: 'operator', password: 'op' },
];
const user = (name: string, password = `${name}-pass`): BusUser => ({ name, password });

function logLines() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({
    level: 'info',
    destination: new Writable({ write: (chunk, _e, done) => (lines.push(JSON.parse(chunk.toString())), done()) }),
  });
  return { lines, logger };
}

async function open(store = new FakeStore()) {
  const target = new FakeTarget();
  const sealer = new FakeSealer();
  const authority = await ManagedBusAuthority.open({ hostUsers: host, store, sealer, target, logger: logLines().logger });
  return { authority, target, sealer, store };
}

describe('ManagedBusAuthority', () => {
  it('writes the users file with its own users before NATS starts, hashed', async () => {
    const { target } = await open();
    expect(target.applied).toHaveLength(1);
    expect(target.users).toEqual(['lichen', 'operator']);
    expect(target.applied[0]).toContain('password: "h:op"');
    expect(target.applied[0]).not.toContain('"op"');
  });

  it("replaces an owner's whole group, keeps the others, and keeps every group in the store", async () => {
    const { authority, target, store } = await open();
    await authority.setUsers('component-manager', [user('sensor'), user('pump')]);
    await authority.setUsers('router', [user('plc-7')]);
    await authority.setUsers('component-manager', [user('pump')]);
    expect(target.users).toEqual(['lichen', 'operator', 'pump', 'plc-7']);
    expect([...store.groups.keys()]).toEqual(['component-manager', 'router']);
    await authority.setUsers('router', []);
    expect(target.users).toEqual(['lichen', 'operator', 'pump']);
    expect([...store.groups.keys()]).toEqual(['component-manager']);
  });

  it('starts with the groups kept from the last run', async () => {
    const first = await open();
    await first.authority.setUsers('component-manager', [user('sensor')]);
    const second = await open(first.store);
    expect(second.target.users).toEqual(['lichen', 'operator', 'sensor']);
    // The password the sensor was given is still the one it logs in with, and is not hashed again.
    await second.authority.setUsers('component-manager', [user('sensor')]);
    expect(second.sealer.hashed).toBe(2);
  });

  it('hashes a password only when it changed, and reloads NATS only when a user did', async () => {
    const { authority, sealer, target } = await open();
    await authority.setUsers('component-manager', [user('sensor'), user('pump')]);
    expect(sealer.hashed).toBe(4);
    await authority.setUsers('component-manager', [user('sensor'), user('pump', 'new')]);
    expect(sealer.hashed).toBe(5);
    await authority.setUsers('component-manager', [user('sensor'), user('pump', 'new')]);
    expect(sealer.hashed).toBe(5);
    expect(target.applied).toHaveLength(3);
  });

  it('starts without the kept groups when NATS refuses them, saying so', async () => {
    const store = new FakeStore(new Map([['router', [{ name: 'broken', password: 'h', digest: 'd' }]]]));
    const target = new FakeTarget();
    target.refuse = 'broken';
    const { lines, logger } = logLines();
    await ManagedBusAuthority.open({ hostUsers: host, store, sealer: new FakeSealer(), target, logger });
    expect(target.users).toEqual(['lichen', 'operator']);
    expect(lines.map((line) => line.msg)).toEqual(['NATS refuses the bus users kept from the last run: starting without them']);
  });

  it('applies one change at a time, and the changes asked for meanwhile together in the next', async () => {
    const { authority, target } = await open();
    const release = target.hold();
    const first = authority.setUsers('a', [user('a1')]);
    await new Promise(setImmediate); // the first change is with NATS, held there
    const queued = [
      authority.setUsers('b', [user('b1')]),
      authority.setUsers('c', [user('c1')]),
      authority.setUsers('b', [user('b2')]),
    ];
    release();
    await Promise.all([first, ...queued]);
    expect(target.applied.slice(1).map((text) => [...text.matchAll(/user: "(\w\d)"/g)].map((match) => match[1]))).toEqual([
      ['a1'],
      ['a1', 'b2', 'c1'],
    ]);
  });

  it('rejects a user name another owner or Lichen holds, and changes nothing', async () => {
    const { authority, target } = await open();
    await authority.setUsers('component-manager', [user('sensor')]);
    await expect(authority.setUsers('router', [user('plc'), user('sensor')])).rejects.toMatchObject({
      code: 'BUS_USER_CLASH',
      message: 'router cannot have the bus users "sensor" (taken by component-manager): a user name is unique on the bus',
    });
    await expect(authority.setUsers('router', [user('operator')])).rejects.toMatchObject({
      code: 'BUS_USER_CLASH',
      message: expect.stringContaining('"operator" (taken by Lichen itself)'),
    });
    expect(target.users).toEqual(['lichen', 'operator', 'sensor']);
    // A name freed by its owner, even in a change still on its way, is free for another.
    const freed = authority.setUsers('component-manager', []);
    await authority.setUsers('router', [user('sensor')]);
    await freed;
    expect(target.users).toEqual(['lichen', 'operator', 'sensor']);
  });

  it('rejects names NATS would log ambiguously, listing every problem', async () => {
    const { authority } = await open();
    await expect(
      authority.setUsers('router', [user('a b'), user('ok'), user('ok'), { name: 'x', password: '' }]),
    ).rejects.toMatchObject({
      code: 'BUS_USER_INVALID',
      violations: [
        { path: 'users[0].name', reason: 'expected 1 to 128 characters, without whitespace, quotes or backslashes' },
        { path: 'users[2].name', reason: '"ok" is given twice' },
        { path: 'users[3].password', reason: 'expected a password or a passwordHash, one of them' },
      ],
    });
  });

  it('rejects the callers of a change NATS refuses, keeping the users it has, and goes on with the next', async () => {
    const { authority, target, store } = await open();
    target.refuse = 'bad';
    await expect(authority.setUsers('router', [user('bad')])).rejects.toThrow('refused bad');
    expect(target.users).toEqual(['lichen', 'operator']);
    expect(store.groups.size).toBe(0);
    await authority.setUsers('router', [user('good')]);
    expect(target.users).toEqual(['lichen', 'operator', 'good']);
  });
});

describe('UnmanagedBusAuthority', () => {
  it('changes nothing, and says once that permissions are not enforced', async () => {
    const { lines, logger } = logLines();
    const authority = new UnmanagedBusAuthority(logger);
    await authority.setUsers('component-manager', [user('sensor')]);
    await authority.setUsers('router', [user('plc')]);
    expect(authority.enforced).toBe(false);
    expect(lines.map((line) => [line.level, line.msg])).toEqual([
      ['warn', 'bus permissions are not enforced: Lichen does not manage the users of the NATS server at LICHEN_NATS_URL'],
    ]);
    expect(JSON.stringify(lines)).not.toContain('sensor-pass');
  });
});
