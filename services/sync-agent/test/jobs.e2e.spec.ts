import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bus } from '@lichen/bus';
import { CloudLinkState, componentStateName, DeploymentPhase, subjects } from '@lichen/contracts';
import { waitFor, type TestNatsServer, type TestRedisServer } from '@lichen/testing';
import type { JsonObject } from '../src/domain/shadow/json-value.js';
import type { AwsIotCore } from './aws-iot-core.js';
import { CloudRig } from './cloud-rig.js';
import type { DeviceNetwork } from './device-network.js';
import { LichenProcess } from './lichen-process.js';

/** A Lichen deployment as a cloud operator puts it in a job document. */
function deployment(name: string, revision: number, components: JsonObject): JsonObject {
  return { apiVersion: 'lichen.dev/v1', kind: 'Deployment', metadata: { name, revision }, components };
}

const steady: JsonObject = { process: { run: 'while true; do sleep 0.2; done' } };

const componentStates = (components: { name: string; state: number }[]) =>
  components.map((component) => [component.name, componentStateName(component.state)]);

describe('deployments from the cloud as AWS IoT Jobs', () => {
  const thing = `jobs-e2e-${Math.random().toString(36).slice(2, 8)}`;
  let nats: TestNatsServer;
  let redis: TestRedisServer;
  let rig: CloudRig | undefined;
  let network: DeviceNetwork;
  let cloud: AwsIotCore;
  let bus: Bus;
  let dataDir: string;
  let runtime: LichenProcess | undefined;
  /** What every run of `lichen run` printed. */
  let output = '';

  const linkState = async () => (await bus.request(subjects.cloud.status, {})).link?.state;
  const waitForLink = (state: CloudLinkState) =>
    waitFor(async () => (await linkState()) === state, {
      what: `the cloud link to be ${CloudLinkState[state]}`,
      timeoutMs: 15_000,
      intervalMs: 100,
    });

  /** Starts `lichen run component-manager sync-agent` (again, on the same data) and waits until it is ready. */
  async function startRuntime(): Promise<void> {
    runtime = await LichenProcess.start({
      services: ['component-manager', 'sync-agent'],
      deviceId: thing,
      dataDir,
      natsUrl: nats.url,
      redisUrl: redis.url,
      env: {
        LICHEN_RUNTIMES: 'process',
        LICHEN_RECONCILE_INTERVAL: '1s',
        LICHEN_HEALTH_SETTLE: '500ms',
        LICHEN_CLOUD_URL: network.url,
        LICHEN_CLOUD_THING_NAME: thing,
        LICHEN_CLOUD_RECONNECT_MIN: '200ms',
        LICHEN_CLOUD_RECONNECT_MAX: '1s',
      },
      onOutput: (text) => (output += text),
    });
  }

  beforeAll(async () => {
    rig = await CloudRig.start('jobs-e2e');
    ({ nats, redis, network, cloud, bus, dataDir } = rig);

    await startRuntime();
    await waitForLink(CloudLinkState.CONNECTED);
  }, 60_000);

  afterAll(async () => {
    // Components outlive the manager by design: an empty deployment stops them before the device goes.
    const teardown = await bus
      ?.request(subjects.deploy.apply, { source: { case: 'document', value: JSON.stringify(deployment('teardown', 1, {})) } })
      .catch(() => undefined);
    if (teardown) {
      await waitFor(async () => (await bus.request(subjects.deploy.status, { id: teardown.id })).finishedAt, {
        what: 'the teardown deployment',
        timeoutMs: 15_000,
      }).catch(() => undefined);
    }
    await runtime?.stop('SIGTERM');
    await rig?.stop();
  }, 60_000);

  it('runs a job created while the device was offline once it is back, and reports SUCCEEDED with a component running', async () => {
    network.cut();
    await waitForLink(CloudLinkState.DISCONNECTED);
    await cloud.createJob(thing, 'while-offline', deployment('from-cloud', 1, { ticker: steady }));
    await sleep(1_500);
    expect(cloud.execution(thing, 'while-offline')?.history, output).toEqual(['QUEUED']);

    network.restore();
    const done = await cloud.waitForExecution(thing, 'while-offline', (execution) => execution.history.length >= 3, 30_000);
    expect(done.history, output).toEqual(['QUEUED', 'IN_PROGRESS', 'SUCCEEDED']);
    const deploymentId = done.statusDetails?.deploymentId ?? '';
    expect(done.statusDetails).toEqual({ deploymentId: expect.stringMatching(/\S/), phase: 'SUCCEEDED' });

    const status = await bus.request(subjects.deploy.status, { id: deploymentId });
    expect([status.name, DeploymentPhase[status.phase]]).toEqual(['from-cloud', 'SUCCEEDED']);
    const { components } = await bus.request(subjects.component.list, {});
    expect(componentStates(components)).toEqual([['ticker', 'RUNNING']]);
  });

  it('reports FAILED with the phase and the reason for a deployment that fails, and REJECTED for an invalid one', async () => {
    await cloud.createJob(
      thing,
      'cannot-install',
      deployment('from-cloud', 2, {
        ticker: steady,
        broken: { process: { install: 'echo "fetching model"; exit 7', run: 'sleep 100' } },
      }),
    );
    await cloud.createJob(
      thing,
      'invalid',
      deployment('from-cloud', 3, { ticker: { ...steady, restrat: { policy: 'always' } } }),
    );

    const failed = await cloud.waitForExecution(thing, 'cannot-install', (execution) => execution.history.length >= 3, 30_000);
    expect(failed.history, output).toEqual(['QUEUED', 'IN_PROGRESS', 'FAILED']);
    expect(failed.statusDetails).toEqual({
      deploymentId: expect.stringMatching(/\S/),
      phase: expect.stringMatching(/^FAILED/),
      reason: expect.stringContaining('install script exited with 7'),
    });

    const rejected = await cloud.waitForExecution(thing, 'invalid', (execution) => execution.history.length >= 3, 30_000);
    expect(rejected.history, output).toEqual(['QUEUED', 'IN_PROGRESS', 'REJECTED']);
    expect(rejected.statusDetails?.problems).toMatch(/^components\.ticker\.restrat: unknown field/);
    expect(rejected.statusDetails?.reason).toBe('the deployment has 1 problem; nothing on the device changed');

    // The device still runs what the first job put there.
    const { components } = await bus.request(subjects.component.list, {});
    expect(componentStates(components)).toEqual([['ticker', 'RUNNING']]);
  });

  it('finishes a job left IN_PROGRESS when the device went down mid-deployment, once it is up again', async () => {
    const ready = join(dataDir, 'slow-ready');
    await cloud.createJob(
      thing,
      'interrupted',
      deployment('from-cloud', 4, {
        ticker: steady,
        slow: {
          process: { run: `rm -f ${ready}; sleep 2; touch ${ready}; while true; do sleep 0.2; done` },
          health: { startupTimeout: '30s', command: ['sh', '-c', `test -f ${ready}`] },
        },
      }),
    );
    await waitFor(
      async () => {
        const { components } = await bus.request(subjects.component.list, {});
        return componentStates(components).some(([name, state]) => name === 'slow' && state === 'STARTING');
      },
      { what: "the job's deployment to be starting its component", timeoutMs: 20_000, intervalMs: 50 },
    );
    expect(cloud.execution(thing, 'interrupted')?.status).toBe('IN_PROGRESS');

    await runtime?.stop('SIGKILL'); // the device loses power
    await startRuntime();
    const done = await cloud.waitForExecution(thing, 'interrupted', (execution) => execution.history.length >= 3, 40_000);
    expect(done.history, output).toEqual(['QUEUED', 'IN_PROGRESS', 'SUCCEEDED']);
    expect(done.statusDetails?.phase).toBe('SUCCEEDED');
    const { components } = await bus.request(subjects.component.list, {});
    expect(componentStates(components)).toEqual([
      ['slow', 'RUNNING'],
      ['ticker', 'RUNNING'],
    ]);
  });
});
