import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { componentStateName, DeploymentPhase, subjects } from '@lichen/contracts';
import { waitFor } from '@lichen/testing';
import { TestDevice } from './device.harness.js';

export type RuntimeKind = 'docker' | 'process';

/** How a test component runs a shell script in each runtime. */
export interface RuntimeFixture {
  readonly kind: RuntimeKind;
  /** The document fields that run `script` with sh. */
  run(script: string): Record<string, unknown>;
  /** Fields that make the component fail to install (a missing image, an install script that fails). */
  uninstallable: Record<string, unknown>;
  /** What the failure message names. */
  uninstallableCause: string;
}

export function document(
  name: string,
  revision: number,
  components: Record<string, unknown>,
  extra: Record<string, unknown> = {},
): string {
  return JSON.stringify(
    { apiVersion: 'lichen.dev/v1', kind: 'Deployment', metadata: { name, revision }, components, ...extra },
    null,
    2,
  );
}

/** A component that says what it was given, then runs until stopped. */
const steady = 'echo "MODE=$MODE"; echo "LICHEN_COMPONENT=$LICHEN_COMPONENT"; while true; do sleep 0.2; done';

/** The value of a variable as the component printed it last, read the way an operator would: `lichen logs`. */
async function envOf(device: TestDevice, component: string, variable: string): Promise<string | undefined> {
  const result = await device.cli('logs', component, '--tail', '200');
  const values = result.stdout
    .split('\n')
    .map((line) => new RegExp(`${variable}=(\\S*)$`).exec(line)?.[1])
    .filter((value) => value !== undefined);
  return values.at(-1);
}

/** The scenarios of the component-manager issue that apply to every runtime. */
export function runtimeScenarios(fixture: RuntimeFixture, env: Record<string, string> = {}): void {
  describe(`${fixture.kind} components`, () => {
    const device = new TestDevice(env);
    beforeAll(() => device.start(), 60_000);
    afterAll(() => device.stop(), 60_000);

    it('starts three components with hard dependencies in order and shows them RUNNING', async () => {
      const result = await device.deploy(
        document('order', 1, {
          base: { ...fixture.run(steady), env: { MODE: 'base' } },
          middle: { ...fixture.run(steady), dependsOn: { base: 'hard' } },
          top: { ...fixture.run(steady), dependsOn: { middle: 'hard' } },
        }),
      );
      expect(result.code, result.stdout + result.stderr).toBe(0);
      expect(result.stdout).toContain('SUCCEEDED');
      const components = await device.components();
      expect(components.map((c) => [c.name, componentStateName(c.state), c.runtime])).toEqual([
        ['base', 'RUNNING', fixture.kind],
        ['middle', 'RUNNING', fixture.kind],
        ['top', 'RUNNING', fixture.kind],
      ]);
      const order = device.events.map((event) => `${event.component}:${componentStateName(event.state)}`);
      expect(order.indexOf('base:RUNNING')).toBeLessThan(order.indexOf('middle:STARTING'));
      expect(order.indexOf('middle:RUNNING')).toBeLessThan(order.indexOf('top:STARTING'));
      expect(await envOf(device, 'base', 'MODE')).toBe('base');
      expect(await envOf(device, 'base', 'LICHEN_COMPONENT')).toBe('base');
    });

    it('delivers a config-only change over the bus without restarting the component', async () => {
      const v1 = { ...fixture.run(steady), config: { threshold: 0.8 } };
      expect((await device.deploy(document('config', 1, { tuned: v1 }))).code).toBe(0);
      const before = await device.component('tuned');
      const changed: unknown[] = [];
      const off = device.bus.subscribe(subjects.component.configChanged, (event) => void changed.push(event.config));
      const result = await device.deploy(document('config', 2, { tuned: { ...v1, config: { threshold: 0.9 } } }));
      expect(result.code, result.stdout + result.stderr).toBe(0);
      await waitFor(() => changed.length > 0, { what: 'the config change event' });
      off();
      expect(changed).toEqual([{ threshold: 0.9 }]);
      const asked = await device.bus.request(subjects.component.config, {}, { tokens: ['tuned'] });
      expect(asked.config).toEqual({ threshold: 0.9 });
      expect((await device.component('tuned'))?.instance).toBe(before?.instance);
    });

    it('restarts a component that exits non-zero with growing backoff, and calls it BROKEN after 3 errors', async () => {
      const result = await device.deploy(document('crash', 1, { crasher: fixture.run('echo starting; sleep 1; exit 3') }));
      expect(result.code, result.stdout + result.stderr).toBe(0);
      const broken = await device.waitForState('crasher', 'BROKEN', 30_000);
      expect(broken.reason).toBe('exited with 3 (3 errors within 1h)');
      expect(broken.restarts).toBe(2);
      const errored = device.events.filter((e) => e.component === 'crasher' && componentStateName(e.state) === 'ERRORED');
      const restarted = device.events.filter(
        (e) =>
          e.component === 'crasher' &&
          componentStateName(e.state) === 'STARTING' &&
          e.previousState !== 0 &&
          componentStateName(e.previousState) === 'ERRORED',
      );
      expect(errored).toHaveLength(2);
      expect(restarted).toHaveLength(2);
      const gaps = restarted.map((start, index) => millis(start.time) - millis(errored[index]?.time));
      // 300 ms, then 600 ms: the backoff doubles (with room for a busy machine, but never shorter).
      expect(gaps[0]).toBeGreaterThanOrEqual(280);
      expect(gaps[1]).toBeGreaterThanOrEqual(580);
      expect(gaps[1]).toBeGreaterThan(gaps[0] ?? Infinity);
    });

    it('rolls an update that fails its health check back to the old version, env and config', async () => {
      const v1 = { ...fixture.run(steady), version: '1.0.0', env: { MODE: 'one' }, config: { level: 1 } };
      expect((await device.deploy(document('update', 1, { app: v1 }))).code).toBe(0);
      const v2 = {
        ...v1,
        version: '2.0.0',
        env: { MODE: 'two' },
        config: { level: 2 },
        health: { startupTimeout: '2s', command: ['sh', '-c', 'test -f /nonexistent/ready'] },
      };
      const result = await device.deploy(document('update', 2, { app: v2 }));
      expect(result.code).toBe(1);
      expect(result.stdout + result.stderr).toContain('FAILED_ROLLED_BACK');
      expect(result.stdout + result.stderr).toMatch(/app: .*not running and healthy within 2s|app: not healthy within 2s/);
      const app = await device.waitForState('app', 'RUNNING');
      expect(app.version).toBe('1.0.0');
      expect(await envOf(device, 'app', 'MODE')).toBe('one');
      const asked = await device.bus.request(subjects.component.config, {}, { tokens: ['app'] });
      expect(asked.config).toEqual({ level: 1 });
      const status = await device.bus.request(subjects.deploy.status, { id: '' });
      expect(status.components.app?.reason).toMatch(/not healthy within 2s/);
    });

    it('kills a component that ignores SIGTERM after its shutdown timeout, and the deployment goes on', async () => {
      const stubborn = { ...fixture.run("trap '' TERM; while true; do sleep 0.2; done"), shutdownTimeout: '1s' };
      expect((await device.deploy(document('stubborn', 1, { stubborn, other: fixture.run(steady) }))).code).toBe(0);
      const started = Date.now();
      const result = await device.deploy(document('stubborn', 2, { other: fixture.run(steady) }));
      const took = Date.now() - started;
      expect(result.code, result.stdout + result.stderr).toBe(0);
      expect(took).toBeGreaterThanOrEqual(1_000);
      expect(took).toBeLessThan(8_000);
      expect((await device.components()).map((c) => c.name)).toEqual(['other']);
    });

    it('adopts running components after being SIGKILLed in a steady state: nothing is restarted', async () => {
      const result = await device.deploy(document('steady', 1, { one: fixture.run(steady), two: fixture.run(steady) }));
      expect(result.code, result.stdout + result.stderr).toBe(0);
      const before = await device.components();
      await device.killManager();
      await device.startManager();
      await new Promise((resolve) => setTimeout(resolve, 2_500)); // two reconcile intervals
      const after = await device.components();
      expect(after.map((c) => [c.name, componentStateName(c.state), c.instance])).toEqual(
        before.map((c) => [c.name, 'RUNNING', c.instance]),
      );
    });

    it('finishes a deployment that was in flight when the manager was SIGKILLed', async () => {
      const flag = `/tmp/${device.deviceId}-slow-ready`;
      const slow = {
        ...fixture.run(`rm -f ${flag}; sleep 3; touch ${flag}; while true; do sleep 0.2; done`),
        health: { startupTimeout: '20s', command: ['sh', '-c', `test -f ${flag}`] },
      };
      const deploying = device.deploy(document('inflight', 1, { slow }));
      await device.waitForState('slow', 'STARTING');
      await device.killManager();
      await device.startManager();
      await deploying; // the CLI follows the deployment across the restart
      const finished = await waitFor(
        async () => {
          const status = await device.bus.request(subjects.deploy.status, { id: '' });
          return status.name === 'inflight' && status.finishedAt ? status : undefined;
        },
        { what: 'the interrupted deployment to finish', timeoutMs: 30_000, intervalMs: 200 },
      );
      expect([DeploymentPhase[finished.phase], finished.reason]).toEqual(['SUCCEEDED', '']);
      expect(componentStateName((await device.component('slow'))?.state ?? 0)).toBe('RUNNING');
    });

    it('fails a deployment whose component cannot be installed, names why, and leaves the device as it was', async () => {
      expect((await device.deploy(document('install', 1, { keep: fixture.run(steady) }))).code).toBe(0);
      const before = await device.components();
      const result = await device.deploy(document('install', 2, { keep: fixture.run(steady), bad: fixture.uninstallable }));
      expect(result.code).toBe(1);
      expect(result.stdout + result.stderr).toContain(fixture.uninstallableCause);
      const after = await device.components();
      expect(after.map((c) => [c.name, componentStateName(c.state), c.instance])).toEqual(
        before.map((c) => [c.name, 'RUNNING', c.instance]),
      );
    });

    it('rejects a malformed document with every problem listed, and changes nothing', async () => {
      const before = await device.components();
      const result = await device.deploy(
        document('broken', 1, {
          sensor: { ...fixture.run(steady), resources: { memory: '12XB' }, imagee: 'x' },
          a: { ...fixture.run(steady), dependsOn: { b: 'hard' } },
          b: { ...fixture.run(steady), dependsOn: { a: 'hard' } },
          c: { ...fixture.run(steady), dependsOn: { ghost: 'soft' } },
        }),
      );
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('components.sensor.resources.memory: "12XB" is not a quantity');
      expect(result.stderr).toContain('components.sensor.imagee: unknown field');
      expect(result.stderr).toMatch(/dependency cycle (a -> b -> a|b -> a -> b)/);
      expect(result.stderr).toMatch(/components\.c\.dependsOn.*ghost/);
      expect(await device.components()).toEqual(before);
    });
  });
}

function millis(time: { seconds: bigint; nanos: number } | undefined): number {
  return time ? Number(time.seconds) * 1_000 + time.nanos / 1e6 : 0;
}
