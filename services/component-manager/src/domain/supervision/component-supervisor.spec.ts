import { afterEach, describe, expect, it } from 'vitest';
import { fakeDevice } from '../../../test/fakes/fake-device.js';
import type { ComponentSpec } from '../component/component-spec.js';
import { componentSpec } from '../../../test/fakes/component-spec.js';

const devices: ReturnType<typeof fakeDevice>[] = [];
afterEach(() => devices.splice(0).forEach((device) => device.supervisor.close()));

function supervised() {
  const device = fakeDevice();
  devices.push(device);
  return device;
}

function spec(name: string, restart: ComponentSpec['restart']['policy'] = 'always'): ComponentSpec {
  return componentSpec(name, {
    restart: { policy: restart, onConfigChange: false },
    health: { startupTimeoutMs: 1_000 },
    timeouts: { installMs: 1_000, shutdownMs: 100 },
  });
}

async function until(condition: () => boolean): Promise<void> {
  for (let waited = 0; !condition(); waited += 5) {
    if (waited > 3_000) throw new Error('condition not met');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const statesOf = (device: ReturnType<typeof fakeDevice>, name: string) =>
  device.transitions.filter((t) => t.record.name === name).map((t) => t.record.state);

describe('ComponentSupervisor', () => {
  it('walks a new component through NEW, INSTALLED, STARTING to RUNNING', async () => {
    const device = supervised();
    await device.supervisor.launch(spec('app'), 'd1', AbortSignal.timeout(1_000));
    await until(() => device.book.get('app')?.state === 'RUNNING');
    expect(statesOf(device, 'app')).toEqual(['NEW', 'INSTALLED', 'STARTING', 'RUNNING']);
  });

  it('restarts a crashed component with backoff and calls it BROKEN at the third error', async () => {
    const device = supervised();
    await device.supervisor.launch(spec('app'), 'd1', AbortSignal.timeout(1_000));
    for (let crash = 1; crash <= 3; crash += 1) {
      await until(() => device.runtime.instances.get('app')?.status === 'running' && device.book.get('app')?.state === 'RUNNING');
      device.runtime.exit('app', 3);
    }
    await until(() => device.book.get('app')?.state === 'BROKEN');
    const record = device.book.get('app')!;
    expect([record.reason, record.restarts, record.recentErrors]).toEqual(['exited with 3 (3 errors within 1m)', 2, 3]);
    expect(device.runtime.calls.filter((call) => call.startsWith('start'))).toHaveLength(3);
  });

  it('reports an OOM kill as the cause, and leaves a never-restart component down', async () => {
    const device = supervised();
    await device.supervisor.launch(
      { ...spec('hog', 'never'), resources: { memoryBytes: 32 * 2 ** 20 } },
      'd1',
      AbortSignal.timeout(1_000),
    );
    device.runtime.exit('hog', 137, true);
    await until(() => device.book.get('hog')?.state === 'ERRORED');
    expect(device.book.get('hog')?.reason).toBe('OOM-killed: over its memory limit of 32Mi');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(device.runtime.calls.filter((call) => call.startsWith('start'))).toHaveLength(1);
  });

  it('calls a clean exit FINISHED and does not restart it under on-failure', async () => {
    const device = supervised();
    await device.supervisor.launch(spec('job', 'on-failure'), 'd1', AbortSignal.timeout(1_000));
    device.runtime.exit('job', 0);
    await until(() => device.book.get('job')?.state === 'FINISHED');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(device.runtime.calls).toEqual(['install job@1', 'start job@1']);
  });

  it('ignores the exit of an instance it stopped itself', async () => {
    const device = supervised();
    await device.supervisor.launch(spec('app'), 'd1', AbortSignal.timeout(1_000));
    await device.supervisor.stop('app', 'process', { remove: true, signal: AbortSignal.timeout(1_000) });
    expect(device.book.get('app')).toBeUndefined();
    expect(device.transitions.at(-1)).toMatchObject({ removed: true });
  });

  it('looks the component up when its turn comes: a restart queued behind its removal starts nothing', async () => {
    const device = supervised();
    await device.supervisor.launch(spec('gone'), 'd1', AbortSignal.timeout(1_000));
    const removal = device.supervisor.stop('gone', 'process', { remove: true, signal: AbortSignal.timeout(1_000) });
    const restart = device.supervisor.restart('gone', AbortSignal.timeout(1_000));
    await removal;
    await expect(restart).rejects.toThrow('no component named gone');
    expect(device.runtime.instances.has('gone')).toBe(false);
  });

  it('adopts a running instance without starting it', () => {
    const device = supervised();
    device.supervisor.adopt(spec('app'), 'd1', {
      name: 'app',
      runtime: 'process',
      id: '42',
      fingerprint: 'f',
      deployment: 'd1',
      status: 'running',
    });
    expect(device.book.get('app')).toMatchObject({ state: 'RUNNING', instanceId: '42' });
    expect(device.runtime.calls).toEqual([]);
  });
});
