import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { componentStateName } from '@lichen/contracts';
import { waitFor } from '@lichen/testing';
import { TestDevice } from './device.harness.js';
import { document } from './scenarios.js';

// The operator's commands against a real component manager (process components, so no engine is needed):
// what each prints and how it exits.
describe('lichen commands for deployments and components', () => {
  const device = new TestDevice({ LICHEN_RUNTIMES: 'process' });
  beforeAll(() => device.start(), 60_000);
  afterAll(() => device.stop(), 60_000);

  const talker = (version: string) => ({
    version,
    process: { run: `echo "v${version} out"; echo "v${version} err" >&2; while true; do sleep 0.2; done` },
  });

  it('deploy --no-wait prints the id and QUEUED and exits 0; status and deployments show it', async () => {
    const queued = await device.cli(
      'deploy',
      '--no-wait',
      '-f',
      await device.writeDocument(document('cmds', 1, { talker: talker('1') })),
    );
    expect(queued.code, queued.stderr).toBe(0);
    const id = /(cmds-r1-[0-9a-f]{6})/.exec(queued.stdout)?.[1];
    expect(queued.stdout).toContain('QUEUED');
    expect(id).toBeDefined();
    await device.waitForState('talker', 'RUNNING');
    await waitFor(async () => (await device.cli('status')).stdout.includes('SUCCEEDED'), { what: 'status to say SUCCEEDED' });
    const history = await device.cli('deployments');
    expect(history.code).toBe(0);
    expect(history.stdout).toMatch(new RegExp(`${id}\\s+cmds\\s+1\\s+SUCCEEDED`));
  });

  it('logs prints the component output, its stderr lines on stderr', async () => {
    const logs = await device.cli('logs', 'talker');
    expect(logs.stdout).toContain('v1 out');
    expect(logs.stdout).not.toContain('v1 err');
    expect(logs.stderr).toContain('v1 err');
  });

  it('a health exporter started after the components shows their states at once, from lichen.components.list', async () => {
    // No component changes from here on, so no state event comes: the exporter's gauges can only come from the list.
    const { metricsUrl } = await device.startExporter();
    const series = 'lichen_component_state{component="talker",state="RUNNING"}';
    const metrics = await waitFor(
      async () => {
        const text = await (await fetch(metricsUrl)).text();
        return text.split('\n').includes(`${series} 1`) && text;
      },
      { what: 'the exporter to show talker RUNNING', timeoutMs: 15_000 },
    );
    expect(metrics).toContain('lichen_component_state{component="talker",state="ERRORED"} 0');
  });

  it('restart starts a new instance of the component', async () => {
    const before = await device.component('talker');
    const restarted = await device.cli('restart', 'talker');
    expect(restarted.code, restarted.stderr).toBe(0);
    const after = await device.waitForState('talker', 'RUNNING');
    expect(after.instance).not.toBe(before?.instance);
    const missing = await device.cli('restart', 'nobody');
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('no component named "nobody"');
  });

  it('rollback puts back the deployment that succeeded before the current one', async () => {
    expect((await device.deploy(document('cmds', 2, { talker: talker('2') }))).code).toBe(0);
    expect((await device.component('talker'))?.version).toBe('2');
    const rolledBack = await device.cli('rollback');
    expect(rolledBack.code, rolledBack.stdout + rolledBack.stderr).toBe(0);
    expect(rolledBack.stdout).toContain('SUCCEEDED');
    const talkerNow = await device.waitForState('talker', 'RUNNING');
    expect(talkerNow.version).toBe('1');
  });

  it('cancel stops the active deployment and leaves the device in its last good state', async () => {
    const slow = { process: { run: 'sleep 1000' }, health: { startupTimeout: '30s', command: ['sh', '-c', 'exit 1'] } };
    const following = device.deploy(document('cmds', 3, { talker: talker('3'), slow }));
    await device.waitForState('slow', 'STARTING');
    const cancelled = await device.cli('cancel');
    expect(cancelled.code, cancelled.stderr).toBe(0);
    const result = await following;
    expect(result.code).toBe(1);
    expect(result.stdout + result.stderr).toContain('CANCELED');
    const components = await device.components();
    expect(components.map((c) => [c.name, c.version, componentStateName(c.state)])).toEqual([['talker', '1', 'RUNNING']]);
  });
});
