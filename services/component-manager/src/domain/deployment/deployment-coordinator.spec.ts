import { afterEach, describe, expect, it } from 'vitest';
import { LichenError } from '@lichen/errors';
import { fakeDevice, processDocument } from '../../../test/fakes/fake-device.js';
import { finalPhases, type DeploymentRecord } from './deployment-record.js';

type Device = ReturnType<typeof fakeDevice>;
const devices: Device[] = [];

function device(options?: Parameters<typeof fakeDevice>[0]): Device {
  const created = fakeDevice(options);
  devices.push(created);
  return created;
}

afterEach(async () => {
  for (const created of devices.splice(0)) {
    await created.coordinator.stop();
    created.supervisor.close();
  }
});

/** The manager dies and comes back on the same device: the store and the runtime's instances outlive it. */
async function restartManager(previous: Device, options: { reconcileIntervalMs?: number } = {}): Promise<Device> {
  await previous.coordinator.stop();
  previous.supervisor.close();
  return device({ store: previous.store, runtime: previous.runtime, busUsers: previous.busUsers, ...options });
}

async function finished(subject: Device, id: string): Promise<DeploymentRecord> {
  for (let waited = 0; waited < 5_000; waited += 10) {
    const record = await subject.store.get(id);
    if (record && finalPhases.has(record.phase)) return record;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`deployment ${id} did not finish`);
}

async function deployed(subject: Device, document: object): Promise<DeploymentRecord> {
  return finished(subject, (await subject.coordinator.apply(document)).id);
}

const quickGate = { health: { startupTimeout: '300ms', command: ['ready-check'] } };

describe('DeploymentCoordinator', () => {
  it('runs a deployment to SUCCEEDED, with every component RUNNING and the deployment current', async () => {
    const subject = device();
    await subject.coordinator.start();
    const record = await deployed(subject, processDocument('line', 1, { a: {}, b: { dependsOn: { a: 'hard' } } }));
    expect(record.phase).toBe('SUCCEEDED');
    expect(Object.entries(record.components).map(([name, c]) => [name, c.action, c.state])).toEqual([
      ['a', 'create', 'RUNNING'],
      ['b', 'create', 'RUNNING'],
    ]);
    expect(subject.store.currentId).toBe(record.id);
    expect(subject.runtime.calls).toEqual(['install a@', 'start a@', 'install b@', 'start b@']);
  });

  it('restores the previous version exactly when an update fails its health check', async () => {
    const subject = device();
    await subject.coordinator.start();
    const v1 = { version: '1', env: { MODE: 'one' }, config: { level: 1 }, ...quickGate };
    const first = await deployed(subject, processDocument('app', 1, { app: v1 }));
    subject.runtime.unhealthy.add('app@2');
    const record = await deployed(subject, processDocument('app', 2, { app: { ...v1, version: '2', env: { MODE: 'two' } } }));
    expect(record.phase).toBe('FAILED_ROLLED_BACK');
    expect(record.rolledBackTo).toBe(first.id);
    expect(record.components.app?.reason).toMatch(/^not healthy within 300ms/);
    const app = subject.runtime.instances.get('app');
    expect([app?.spec.version, app?.env.MODE, subject.book.get('app')?.spec.config]).toEqual(['1', 'one', { level: 1 }]);
    expect(subject.store.currentId).toBe(first.id);
  });

  it('names the deployment whose routes run: the one applying, and after a rollback the one put back', async () => {
    const subject = device();
    await subject.coordinator.start();
    const route = (to: string) => ({ routes: [{ name: 'r', from: 'data.>', to }] });
    const first = await deployed(subject, processDocument('app', 1, { app: { version: '1', ...quickGate } }, route('one')));
    subject.runtime.unhealthy.add('app@2');
    const second = await deployed(subject, processDocument('app', 2, { app: { version: '2', ...quickGate } }, route('two')));
    const published = subject.desired.map(({ id, json }) => [id, (json?.routes as { to: string }[] | undefined)?.[0]?.to]);
    expect(published).toEqual([
      ['', undefined],
      [first.id, 'one'],
      [second.id, 'two'],
      [first.id, 'one'],
    ]);
    expect(subject.coordinator.desired().id).toBe(first.id);
  });

  it('gives each component a bus user while it runs: permissions applied live, a new password for a new instance', async () => {
    const subject = device();
    await subject.coordinator.start();
    const permissions = (publish: string[]) => ({ permissions: { publish, subscribe: [] } });
    await deployed(subject, processDocument('app', 1, { a: { version: '1', ...permissions(['data.>']) }, b: {} }));
    const first = subject.busUsers.passwordOf('a');
    expect(subject.runtime.instances.get('a')?.env).toMatchObject({
      LICHEN_NATS_USER: 'component-a',
      LICHEN_NATS_PASSWORD: first,
    });
    await deployed(subject, processDocument('app', 2, { a: { version: '1', ...permissions(['data.a']) } }));
    expect(subject.busUsers.users.map((user) => [user.owner, user.publish[0]])).toEqual([['a', 'data.a']]);
    expect(subject.busUsers.passwordOf('a')).toBe(first);
    await deployed(subject, processDocument('app', 3, { a: { version: '2', ...permissions(['data.a']) } }));
    expect(subject.busUsers.passwordOf('a')).not.toBe(first);
    expect(subject.runtime.instances.get('a')?.env.LICHEN_NATS_PASSWORD).toBe(subject.busUsers.passwordOf('a'));
    const again = await restartManager(subject);
    await again.coordinator.start();
    expect(again.busUsers.passwordOf('a')).toBe(subject.busUsers.passwordOf('a'));
  });

  it("lets the desired deployment's client devices log in, and puts the previous ones back on a rollback", async () => {
    const subject = device();
    await subject.coordinator.start();
    const hash = `$2a$10$${'h'.repeat(53)}`;
    const devices = (...names: string[]) => ({
      devices: Object.fromEntries(names.map((name) => [name, { passwordHash: hash }])),
    });
    await deployed(subject, processDocument('app', 1, { app: { version: '1', ...quickGate } }, devices('plc-1')));
    const deviceUsers = () => subject.busUsers.users.filter((user) => user.kind === 'device').map((user) => user.name);
    expect(deviceUsers()).toEqual(['device-plc-1']);
    subject.runtime.unhealthy.add('app@2');
    const failed = await deployed(subject, processDocument('app', 2, { app: { version: '2', ...quickGate } }, devices('plc-2')));
    expect(failed.phase).toBe('FAILED_ROLLED_BACK');
    expect(deviceUsers()).toEqual(['device-plc-1']);
  });

  it('is not wedged by a user the bus refuses: the next deployment goes through', async () => {
    const subject = device();
    await subject.coordinator.start();
    subject.busUsers.refuse = (users) => users.some((user) => user.owner === 'bad');
    const bad = { permissions: { publish: ['odd'], subscribe: [] } };
    const refused = await deployed(subject, processDocument('app', 1, { bad }, { failurePolicy: 'none' }));
    expect([refused.phase, refused.reason]).toEqual(['FAILED', 'bad: nats-server refused the users']);
    const next = await deployed(subject, processDocument('app', 2, { good: {} }));
    expect(next.phase).toBe('SUCCEEDED');
    expect(subject.busUsers.users.map((user) => user.owner)).toEqual(['good']);
  });

  it('leaves a failed update in place under failurePolicy none', async () => {
    const subject = device();
    await subject.coordinator.start();
    await deployed(subject, processDocument('app', 1, { app: { version: '1' } }));
    subject.runtime.uninstallable.add('app');
    const record = await deployed(subject, processDocument('app', 2, { app: { version: '2' } }, { failurePolicy: 'none' }));
    expect(record.phase).toBe('FAILED');
    expect(record.reason).toBe('app: no such image for app');
    expect(subject.store.currentId).toBe(record.id);
  });

  it('lets a newer deployment for the same target supersede a queued one', async () => {
    const subject = device();
    await subject.coordinator.start();
    subject.runtime.hangingInstall.add('slow');
    const active = await subject.coordinator.apply(processDocument('one', 1, { slow: {} }, { timeout: '200ms' }));
    const queued = await subject.coordinator.apply(processDocument('two', 1, { a: {} }));
    const newer = await subject.coordinator.apply(processDocument('three', 1, { b: {} }));
    expect((await finished(subject, queued.id)).phase).toBe('SUPERSEDED');
    expect((await finished(subject, queued.id)).reason).toBe(`superseded by ${newer.id}`);
    expect((await finished(subject, active.id)).phase).toBe('FAILED_ROLLED_BACK');
    expect((await finished(subject, newer.id)).phase).toBe('SUCCEEDED');
  });

  it('fails a deployment that runs out of time, rolls it back and frees the queue', async () => {
    const subject = device();
    await subject.coordinator.start();
    await deployed(subject, processDocument('base', 1, { keep: {} }));
    subject.runtime.hangingInstall.add('stuck');
    const stuck = await subject.coordinator.apply(processDocument('base', 2, { keep: {}, stuck: {} }, { timeout: '300ms' }));
    const next = await subject.coordinator.apply(
      processDocument('other', 1, { keep: {}, later: {} }, { metadata: { name: 'other', target: 'elsewhere' } }),
    );
    const record = await finished(subject, stuck.id);
    expect(record.phase).toBe('FAILED_ROLLED_BACK');
    expect(record.reason).toBe('the deployment timed out after 300ms while installing stuck');
    expect(record.components.stuck?.reason).toBe(record.reason);
    expect((await finished(subject, next.id)).phase).toBe('SUCCEEDED');
  });

  it('cancels the active deployment and puts the device back to its last good state', async () => {
    const subject = device();
    await subject.coordinator.start();
    const good = await deployed(subject, processDocument('base', 1, { keep: { version: '1' } }));
    subject.runtime.hangingInstall.add('stuck');
    const active = await subject.coordinator.apply(processDocument('base', 2, { keep: { version: '2' }, stuck: {} }));
    while (!subject.runtime.calls.includes('install stuck@')) await new Promise((resolve) => setTimeout(resolve, 5));
    await subject.coordinator.cancel('');
    const record = await finished(subject, active.id);
    expect([record.phase, record.reason, record.rolledBackTo]).toEqual(['CANCELED', 'cancelled by the operator', good.id]);
    expect(subject.runtime.instances.get('keep')?.spec.version).toBe('1');
    expect(subject.runtime.instances.has('stuck')).toBe(false);
  });

  it('rejects an invalid document with every problem, and changes nothing', async () => {
    const subject = device();
    await subject.coordinator.start();
    const error = await subject.coordinator
      .apply(processDocument('bad', 1, { a: { resources: { memory: '12XB' } }, b: { dependsOn: { ghost: 'hard' } } }))
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LichenError);
    expect((error as LichenError).violations.map((v) => v.path)).toEqual([
      'components.a.resources.memory',
      'components.b.dependsOn.ghost',
    ]);
    expect(subject.store.records.size).toBe(0);
    expect(subject.runtime.calls).toEqual([]);
  });

  it('leaves a BROKEN component to its deployment: the periodic reconcile does not reinstall it', async () => {
    const subject = device({ reconcileIntervalMs: 20 });
    await subject.coordinator.start();
    await deployed(subject, processDocument('crash', 1, { crasher: {} }));
    for (let crash = 0; crash < 3; crash += 1) {
      while (subject.book.get('crasher')?.state !== 'RUNNING') await new Promise((resolve) => setTimeout(resolve, 5));
      subject.runtime.exit('crasher', 3);
    }
    while (subject.book.get('crasher')?.state !== 'BROKEN') await new Promise((resolve) => setTimeout(resolve, 5));
    const starts = subject.runtime.calls.filter((call) => call.startsWith('start')).length;
    await new Promise((resolve) => setTimeout(resolve, 200)); // ten reconcile passes
    expect(subject.book.get('crasher')?.state).toBe('BROKEN');
    expect(subject.runtime.calls.filter((call) => call.startsWith('start'))).toHaveLength(starts);
  });

  it('does not count the exit of the instance an update replaced against the new one', async () => {
    const subject = device();
    subject.runtime.reportStopsLate = true;
    await subject.coordinator.start();
    await deployed(subject, processDocument('app', 1, { app: { version: '1' } }));
    const record = await deployed(subject, processDocument('app', 2, { app: { version: '2' } }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(record.phase).toBe('SUCCEEDED');
    expect(subject.book.get('app')).toMatchObject({ state: 'RUNNING', recentErrors: 0, restarts: 0 });
    expect(subject.runtime.calls.filter((call) => call.startsWith('start'))).toEqual(['start app@1', 'start app@2']);
  });

  it('keeps a BROKEN component BROKEN across a restart of the manager', async () => {
    const first = device();
    await first.coordinator.start();
    await deployed(
      first,
      processDocument('crash', 1, { crasher: { restart: { policy: 'on-failure' } } }, { failurePolicy: 'none' }),
    );
    for (let crash = 0; crash < 3; crash += 1) {
      while (first.book.get('crasher')?.state !== 'RUNNING') await new Promise((resolve) => setTimeout(resolve, 5));
      first.runtime.exit('crasher', 3);
    }
    while (first.book.get('crasher')?.state !== 'BROKEN') await new Promise((resolve) => setTimeout(resolve, 5));
    const restarted = await restartManager(first);

    const starts = first.runtime.calls.length;
    await restarted.coordinator.start();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(restarted.book.get('crasher')).toMatchObject({ state: 'BROKEN', reason: 'exited with 3 (3 errors within 1m)' });
    expect(first.runtime.calls.slice(starts)).toEqual([]);
  });

  it('resumes the in-flight deployment before a queued one for the same target, losing neither', async () => {
    const first = device();
    await first.coordinator.start();
    const good = await deployed(first, processDocument('base', 1, { keep: {} }));
    const restarted = await restartManager(first);
    const inFlight = {
      ...good,
      id: 'base-r2-aaaaaa',
      revision: 2,
      phase: 'IN_PROGRESS' as const,
      queuedAt: new Date().toISOString(),
      document: processDocument('base', 2, { keep: {}, two: {} }),
    };
    const queued = {
      ...inFlight,
      id: 'base-r3-bbbbbb',
      revision: 3,
      phase: 'QUEUED' as const,
      startedAt: undefined,
      document: processDocument('base', 3, { keep: {}, three: {} }),
    };
    await first.store.save(inFlight);
    await first.store.save(queued);
    await first.store.setActive(inFlight.id);
    // The queue list was lost between two writes: the history still has the queued record.
    await first.store.setQueue([]);

    await restarted.coordinator.start();
    expect((await finished(restarted, inFlight.id)).phase).toBe('SUCCEEDED');
    expect((await finished(restarted, queued.id)).phase).toBe('SUCCEEDED');
    expect([...first.runtime.instances.keys()].sort()).toEqual(['keep', 'three']);
  });

  it('holds a deployment applied while it is still recovering until recovery is done', async () => {
    const first = device();
    await first.coordinator.start();
    await deployed(first, processDocument('base', 1, { keep: { version: '1' } }));
    const restarted = await restartManager(first, { reconcileIntervalMs: 20 });
    const slowRead = first.store.components.bind(first.store);
    first.store.components = async () => {
      await new Promise((resolve) => setTimeout(resolve, 100));
      return slowRead();
    };
    const starting = restarted.coordinator.start();
    const applied = await restarted.coordinator.apply(processDocument('base', 2, { keep: { version: '2' } }));
    await starting;
    expect((await finished(restarted, applied.id)).phase).toBe('SUCCEEDED');
    await new Promise((resolve) => setTimeout(resolve, 100)); // five reconcile passes
    expect(first.runtime.instances.get('keep')?.spec.version).toBe('2');
  });

  it('configures again, after a restart, a config change that was in flight', async () => {
    const first = device();
    await first.coordinator.start();
    const good = await deployed(first, processDocument('base', 1, { keep: { config: { level: 1 } } }));
    const restarted = await restartManager(first);
    const inFlight = {
      ...good,
      id: 'base-r2-cccccc',
      revision: 2,
      phase: 'IN_PROGRESS' as const,
      queuedAt: new Date().toISOString(),
      document: processDocument('base', 2, { keep: { config: { level: 2 } } }),
    };
    await first.store.save(inFlight);
    await first.store.setActive(inFlight.id);
    await restarted.coordinator.start();
    const record = await finished(restarted, inFlight.id);
    expect([record.phase, record.components.keep?.action]).toEqual(['SUCCEEDED', 'configure']);
    expect(restarted.book.get('keep')?.spec.config).toEqual({ level: 2 });
  });

  it('lets a rollback under way finish as FAILED_ROLLED_BACK when a cancel comes', async () => {
    const subject = device();
    await subject.coordinator.start();
    const good = await deployed(subject, processDocument('app', 1, { app: { version: '1', ...quickGate } }));
    subject.runtime.unhealthy.add('app@2');
    // The rollback's install of v1 takes a while, so the cancel lands in the middle of it.
    const install = subject.runtime.install.bind(subject.runtime);
    subject.runtime.install = async (spec, signal) => {
      if (spec.version === '1') await new Promise((resolve) => setTimeout(resolve, 100));
      return install(spec, signal);
    };
    const applied = await subject.coordinator.apply(processDocument('app', 2, { app: { version: '2', ...quickGate } }));
    while ((await subject.coordinator.status(applied.id)).phase !== 'ROLLING_BACK')
      await new Promise((resolve) => setTimeout(resolve, 5));
    await subject.coordinator.cancel(applied.id);
    const record = await finished(subject, applied.id);
    expect([record.phase, record.rolledBackTo]).toEqual(['FAILED_ROLLED_BACK', good.id]);
  });

  it('adopts what runs after a restart and resumes the deployment that was in flight', async () => {
    const first = device();
    await first.coordinator.start();
    const good = await deployed(first, processDocument('base', 1, { keep: {} }));
    const restarted = await restartManager(first);
    // A deployment was in flight when the manager died: its record says so, and so does the store.
    const inFlight = {
      ...good,
      id: 'base-r2-abcdef',
      revision: 2,
      phase: 'IN_PROGRESS' as const,
      document: processDocument('base', 2, { keep: {}, added: {} }),
    };
    await first.store.save(inFlight);
    await first.store.setActive(inFlight.id);

    first.runtime.calls.length = 0;
    await restarted.coordinator.start();
    const record = await finished(restarted, inFlight.id);
    expect(record.phase).toBe('SUCCEEDED');
    expect(first.runtime.calls).toEqual(['install added@', 'start added@']);
    expect(restarted.book.get('keep')?.state).toBe('RUNNING');
  });
});
