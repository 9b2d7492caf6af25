import { afterEach, describe, expect, it } from 'vitest';
import { JobsService } from '../../../test/aws-iot-jobs.js';
import type { CloudLink, CloudMessage, LinkStatus } from '../link/cloud-link.js';
import { topicMatches } from '../link/topic-filter.js';
import type { JsonObject, JsonValue } from '../shadow/json-value.js';
import {
  DeploymentRefusedError,
  DeploymentsUnavailableError,
  type DeploymentOutcome,
  type Deployments,
  type FinalDeploymentPhase,
} from './deployments.js';
import { JobsAgent } from './jobs-agent.js';

const THING = 'press-7';
const JOBS = `$aws/things/${THING}/jobs`;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));
async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1_000 && !condition(); i++) await tick();
  if (!condition()) throw new Error(`timed out waiting for ${what}`);
}

/**
 * A cloud link to AWS IoT Jobs in memory (the harness's `JobsService`, which follows AWS's MQTT API): requests
 * are answered on the next turn while the link is up; what the cloud publishes while it is down is lost (no
 * persistent session), so only `$next/get` can find it.
 */
class FakeCloud implements CloudLink {
  status: LinkStatus = { state: 'disconnected', since: 0 };
  readonly jobs = new JobsService();
  readonly requests: { topic: string; body: JsonObject }[] = [];
  /** Runs before the cloud answers a request (to change the execution behind the device's back). */
  beforeAnswer: ((topic: string) => void) | undefined;
  /** The answer to the next request this says yes to is lost (the cloud took the request). */
  loseAnswer: ((topic: string, body: JsonObject) => boolean) | undefined;
  /** Changes the job documents the cloud sends (AWS's are objects; another cloud side may send the text). */
  jobDocument: ((jobId: string, document: JsonValue) => JsonValue) | undefined;
  readonly #handlers = new Map<string, Set<(message: CloudMessage) => void>>();
  readonly #listeners = new Set<(status: LinkStatus) => void>();

  connect(): void {
    this.#set('connected');
  }

  disconnect(): void {
    this.#set('disconnected');
  }

  onStatus(listener: (status: LinkStatus) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  subscribe(filter: string, handler: (message: CloudMessage) => void): () => void {
    const handlers = this.#handlers.get(filter) ?? new Set();
    handlers.add(handler);
    this.#handlers.set(filter, handlers);
    return () => handlers.delete(handler);
  }

  async publish(topic: string, payload: Uint8Array): Promise<void> {
    if (this.status.state !== 'connected') throw new Error('the link is down');
    const body = JSON.parse(decoder.decode(payload)) as JsonObject;
    this.requests.push({ topic, body });
    this.beforeAnswer?.(topic);
    const replies = this.jobs.request(THING, topic.slice(JOBS.length + 1).split('/'), payload);
    if (this.loseAnswer?.(topic, body)) {
      this.loseAnswer = undefined;
      return;
    }
    setTimeout(() => replies.forEach((reply) => this.deliver(reply.topic, this.#edited(reply.body))), 0);
  }

  createJob(jobId: string, document: JsonObject): void {
    this.jobs.create(THING, jobId, document).forEach((reply) => this.deliver(reply.topic, reply.body));
  }

  /** Changes the execution as another client of the cloud would (its version goes up). */
  touch(jobId: string): void {
    this.jobs.request(THING, [jobId, 'update'], encoder.encode(JSON.stringify({ status: 'IN_PROGRESS' })));
  }

  execution(jobId: string) {
    return this.jobs.execution(THING, jobId);
  }

  /** The updates the device sent for a job, oldest first. */
  updates(jobId: string): JsonObject[] {
    return this.requests.filter((request) => request.topic === `${JOBS}/${jobId}/update`).map((request) => request.body);
  }

  asked(): number {
    return this.requests.filter((request) => request.topic === `${JOBS}/$next/get`).length;
  }

  deliver(topic: string, body: JsonValue): void {
    if (this.status.state !== 'connected') return;
    const message = { topic, payload: encoder.encode(JSON.stringify(body)) };
    for (const [filter, handlers] of this.#handlers)
      if (topicMatches(filter, topic)) handlers.forEach((handle) => handle(message));
  }

  #edited(body: JsonObject): JsonObject {
    const execution = body.execution as JsonObject | undefined;
    if (!this.jobDocument || !execution?.jobDocument) return body;
    return {
      ...body,
      execution: { ...execution, jobDocument: this.jobDocument(execution.jobId as string, execution.jobDocument) },
    };
  }

  #set(state: LinkStatus['state']): void {
    this.status = { state, since: Date.now() };
    this.#listeners.forEach((listener) => listener(this.status));
  }
}

/** The component manager: documents applied in order; each deployment ends when the test says (or at once). */
class FakeDeployments implements Deployments {
  readonly applied: string[] = [];
  /** Ends every deployment at once in this phase; undefined: the test ends them. */
  finishAt: FinalDeploymentPhase | undefined;
  refuseWith: DeploymentRefusedError | undefined;
  unavailableTimes = 0;
  readonly #running = new Map<string, (outcome: DeploymentOutcome) => void>();

  async apply(document: string): Promise<{ id: string }> {
    if (this.unavailableTimes > 0) {
      this.unavailableTimes--;
      throw new DeploymentsUnavailableError('no responders on lichen.deploy.apply');
    }
    if (this.refuseWith) throw this.refuseWith;
    this.applied.push(document);
    return { id: `d-${this.applied.length}` };
  }

  waitUntilFinal(id: string, signal: AbortSignal): Promise<DeploymentOutcome> {
    if (this.finishAt)
      return Promise.resolve({ id, phase: this.finishAt, reason: this.finishAt === 'SUCCEEDED' ? '' : 'it broke' });
    return new Promise((resolve, reject) => {
      this.#running.set(id, resolve);
      signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
    });
  }

  get running(): string[] {
    return [...this.#running.keys()];
  }

  finish(id: string, phase: FinalDeploymentPhase, reason = ''): void {
    const resolve = this.#running.get(id);
    if (!resolve) throw new Error(`deployment ${id} is not running`);
    this.#running.delete(id);
    resolve({ id, phase, reason });
  }
}

const deployment = (name: string): JsonObject => ({
  apiVersion: 'lichen.dev/v1',
  kind: 'Deployment',
  metadata: { name, revision: 1 },
  components: {},
});

describe('JobsAgent', () => {
  let cloud: FakeCloud;
  let deployments: FakeDeployments;
  let agent: JobsAgent | undefined;
  const logged: { level: string; event: string; fields: Record<string, unknown> }[] = [];

  function startAgent(options: { applyGiveUpMs?: number } = {}): JobsAgent {
    agent = new JobsAgent({
      thingName: THING,
      link: cloud,
      deployments,
      log: (level, event, fields) => void logged.push({ level, event, fields }),
      replyTimeoutMs: 100,
      retryDelayMs: 10,
      ...options,
    });
    agent.start();
    return agent;
  }

  function fresh(): void {
    cloud = new FakeCloud();
    deployments = new FakeDeployments();
    logged.length = 0;
  }

  afterEach(async () => {
    await agent?.stop();
    agent = undefined;
  });

  it('runs a job queued while the link was down once it connects: IN_PROGRESS, the deployment, then SUCCEEDED', async () => {
    fresh();
    startAgent();
    cloud.createJob('job-1', deployment('line-3'));
    await tick();
    expect(cloud.requests).toEqual([]);

    cloud.connect();
    await until(() => deployments.running.length === 1, 'the deployment to be applied');
    expect(cloud.execution('job-1')?.status).toBe('IN_PROGRESS');
    expect(JSON.parse(deployments.applied[0]!)).toEqual(deployment('line-3'));
    deployments.finish('d-1', 'SUCCEEDED');

    await until(() => logged.some((entry) => entry.event === 'job reported'), 'the job to be reported');
    expect(cloud.execution('job-1')).toMatchObject({
      history: ['QUEUED', 'IN_PROGRESS', 'SUCCEEDED'],
      statusDetails: { deploymentId: 'd-1', phase: 'SUCCEEDED' },
    });
    expect(cloud.updates('job-1')).toEqual([
      expect.objectContaining({ status: 'IN_PROGRESS', expectedVersion: 1, clientToken: expect.any(String) }),
      expect.objectContaining({
        status: 'SUCCEEDED',
        expectedVersion: 2,
        statusDetails: { deploymentId: 'd-1', phase: 'SUCCEEDED' },
      }),
    ]);
    expect(logged.map((entry) => entry.event)).toEqual(
      expect.arrayContaining([
        'job received',
        'job in progress',
        'job deployment queued',
        'job deployment finished',
        'job reported',
      ]),
    );
  });

  it('asks $next/get again after every reconnection, and runs what it finds', async () => {
    fresh();
    startAgent();
    cloud.connect();
    await until(() => cloud.asked() === 1, 'the first question');
    cloud.disconnect();
    cloud.createJob('while-away', deployment('away'));
    cloud.connect();
    await until(() => deployments.running.length === 1, 'the job queued while away to run');
    expect(cloud.asked()).toBe(2);
  });

  it('takes the jobs notify-next brings, one at a time, in the order they were queued', async () => {
    fresh();
    startAgent();
    cloud.connect();
    await until(() => cloud.asked() === 1, 'the first question');
    cloud.createJob('first', deployment('one'));
    cloud.createJob('second', deployment('two'));
    await until(() => deployments.running.length === 1, 'the first job to run');
    await tick();
    expect(deployments.applied).toHaveLength(1);
    expect(cloud.execution('second')?.status).toBe('QUEUED');

    deployments.finish('d-1', 'SUCCEEDED');
    await until(() => deployments.running.includes('d-2'), 'the second job to run');
    expect(cloud.execution('first')?.status).toBe('SUCCEEDED');
    expect(JSON.parse(deployments.applied[1]!)).toMatchObject({ metadata: { name: 'two' } });
    deployments.finish('d-2', 'SUCCEEDED');
    await until(() => cloud.execution('second')?.status === 'SUCCEEDED', 'the second job to succeed');
  });

  it('reports FAILED, with the phase and the reason, for a deployment that did not succeed', async () => {
    fresh();
    startAgent();
    cloud.createJob('bad', deployment('bad'));
    cloud.connect();
    await until(() => deployments.running.length === 1, 'the deployment');
    deployments.finish('d-1', 'FAILED_ROLLED_BACK', 'pump: not healthy within 2s');
    await until(() => cloud.execution('bad')?.status === 'FAILED', 'the job to fail');
    expect(cloud.execution('bad')?.statusDetails).toEqual({
      deploymentId: 'd-1',
      phase: 'FAILED_ROLLED_BACK',
      reason: 'pump: not healthy within 2s',
    });
  });

  it('rejects a job whose document the component manager refuses, with the problems, short', async () => {
    fresh();
    deployments.refuseWith = new DeploymentRefusedError('the deployment has 2 problems; nothing on the device changed', [
      { path: 'components.pump.imagee', reason: 'unknown field' },
      { path: 'components.pump.resources.memory', reason: `"${'9'.repeat(400)}XB" is not a quantity` },
    ]);
    startAgent();
    cloud.createJob('invalid', deployment('invalid'));
    cloud.connect();
    await until(() => cloud.execution('invalid')?.status === 'REJECTED', 'the job to be rejected');
    const details = cloud.execution('invalid')?.statusDetails ?? {};
    expect(details.reason).toBe('the deployment has 2 problems; nothing on the device changed');
    expect(details.problems).toMatch(/^components\.pump\.imagee: unknown field; components\.pump\.resources\.memory: "9+…$/);
    expect(details.problems!.length).toBeLessThanOrEqual(256);
    expect(cloud.execution('invalid')?.history).toEqual(['QUEUED', 'IN_PROGRESS', 'REJECTED']);
  });

  it('passes a job document that is a string as it is, and rejects one that is not a deployment at all', async () => {
    fresh();
    deployments.finishAt = 'SUCCEEDED';
    startAgent();
    const yaml = 'apiVersion: lichen.dev/v1\nkind: Deployment\nmetadata: { name: text, revision: 1 }\n';
    cloud.jobDocument = (jobId) => (jobId === 'as-text' ? yaml : 42);
    cloud.createJob('as-text', {});
    cloud.createJob('number', {});
    cloud.connect();
    await until(() => cloud.execution('number')?.status === 'REJECTED', 'the second job to be rejected');
    expect(deployments.applied).toEqual([yaml]);
    expect(cloud.execution('as-text')?.status).toBe('SUCCEEDED');
    expect(cloud.execution('number')?.statusDetails).toEqual({
      reason: 'the job document is a number, not a Lichen deployment (an object, or its YAML or JSON text)',
    });
  });

  it('applies a job found IN_PROGRESS (the agent restarted mid-job) again, and finishes it at its version', async () => {
    fresh();
    cloud.createJob('interrupted', deployment('mid'));
    cloud.connect();
    cloud.touch('interrupted'); // IN_PROGRESS at version 2, set by the agent's previous run
    startAgent();
    await until(() => deployments.running.length === 1, 'the deployment to be applied again');
    deployments.finish('d-1', 'SUCCEEDED');
    await until(() => cloud.execution('interrupted')?.status === 'SUCCEEDED', 'the job to succeed');
    expect(cloud.updates('interrupted')).toEqual([expect.objectContaining({ status: 'SUCCEEDED', expectedVersion: 2 })]);
  });

  it('goes on with the deployment when the link drops mid-job, and reports once it is back', async () => {
    fresh();
    startAgent();
    cloud.createJob('offline', deployment('offline'));
    cloud.connect();
    await until(() => deployments.running.length === 1, 'the deployment');
    cloud.disconnect();
    deployments.finish('d-1', 'SUCCEEDED');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(cloud.execution('offline')?.status).toBe('IN_PROGRESS');

    cloud.connect();
    await until(() => cloud.execution('offline')?.status === 'SUCCEEDED', 'the job to be reported');
    expect(cloud.updates('offline').map((update) => update.status)).toEqual(['IN_PROGRESS', 'SUCCEEDED']);
  });

  it('says once that a cloud without a jobs service does not answer, however often it asks', async () => {
    fresh();
    // The fake loses one answer per setting: set it again after each, so nothing is ever answered.
    const loseEvery = (): boolean => {
      setTimeout(() => (cloud.loseAnswer = loseEvery), 0);
      return true;
    };
    cloud.loseAnswer = loseEvery;
    cloud.connect();
    startAgent();
    const unanswered = () => logged.filter((entry) => entry.event === 'jobs request unanswered').map((entry) => entry.level);
    await until(() => unanswered().length >= 3, 'three unanswered requests');
    expect(unanswered()).toEqual([
      'warn',
      ...unanswered()
        .slice(1)
        .map(() => 'debug'),
    ]);
  });

  it('goes on with a job whose IN_PROGRESS answer was lost: $next/get says where it is', async () => {
    fresh();
    deployments.finishAt = 'SUCCEEDED';
    cloud.loseAnswer = (topic, body) => body.status === 'IN_PROGRESS';
    cloud.createJob('lost', deployment('lost'));
    cloud.connect();
    startAgent();
    await until(() => cloud.execution('lost')?.status === 'SUCCEEDED', 'the job to succeed');
    expect(cloud.execution('lost')?.history).toEqual(['QUEUED', 'IN_PROGRESS', 'SUCCEEDED']);
    expect(logged.filter((entry) => entry.event === 'jobs request unanswered')).toHaveLength(1);
    expect(deployments.applied).toHaveLength(1);
  });

  it('sends a report again when its answer is lost, and takes a VersionMismatch at that status as done', async () => {
    fresh();
    deployments.finishAt = 'FAILED';
    cloud.loseAnswer = (topic, body) => body.status === 'FAILED';
    cloud.createJob('lost', deployment('lost'));
    cloud.connect();
    startAgent();
    await until(() => logged.some((entry) => entry.event === 'job reported'), 'the report to be known as taken');
    expect(cloud.updates('lost').map((update) => [update.status, update.expectedVersion])).toEqual([
      ['IN_PROGRESS', 1],
      ['FAILED', 2],
      ['FAILED', 2],
    ]);
    expect(cloud.execution('lost')?.history).toEqual(['QUEUED', 'IN_PROGRESS', 'FAILED']);
    expect(logged.map((entry) => entry.event)).not.toContain('job report refused');
  });

  it('answers a VersionMismatch by asking $next/get and carrying on from what it says', async () => {
    fresh();
    startAgent();
    cloud.createJob('moved', deployment('moved'));
    let moves = 0;
    cloud.beforeAnswer = (topic) => {
      // Another client updates the execution just before each of the agent's two first updates arrives.
      if (topic.endsWith('/moved/update') && moves < 2) {
        moves++;
        cloud.touch('moved');
      }
    };
    cloud.connect();
    await until(() => deployments.running.length === 1, 'the deployment');
    deployments.finish('d-1', 'SUCCEEDED');
    await until(() => cloud.execution('moved')?.status === 'SUCCEEDED', 'the job to succeed');
    expect(cloud.updates('moved').map((update) => [update.status, update.expectedVersion])).toEqual([
      ['IN_PROGRESS', 1], // refused: the execution is IN_PROGRESS at 2, so the agent resumes it
      ['SUCCEEDED', 2], // refused: it is at 3 now
      ['SUCCEEDED', 3],
    ]);
  });

  it('drops the report of a job cancelled in the cloud meanwhile, and goes on to the next one', async () => {
    fresh();
    startAgent();
    cloud.createJob('cancelled', deployment('one'));
    cloud.createJob('next', deployment('two'));
    cloud.connect();
    await until(() => deployments.running.length === 1, 'the first deployment');
    cloud.jobs.cancel(THING, 'cancelled');
    deployments.finish('d-1', 'SUCCEEDED');
    await until(() => deployments.running.includes('d-2'), 'the next job to run');
    expect(cloud.execution('cancelled')?.status).toBe('CANCELED');
    expect(logged.map((entry) => entry.event)).toContain('job result dropped: the job is no longer in progress in the cloud');
  });

  it('applies again while the component manager does not answer, and reports FAILED when it never does', async () => {
    fresh();
    deployments.unavailableTimes = 2;
    deployments.finishAt = 'SUCCEEDED';
    startAgent();
    cloud.createJob('patient', deployment('patient'));
    cloud.connect();
    await until(() => cloud.execution('patient')?.status === 'SUCCEEDED', 'the job to succeed');
    await agent?.stop();

    fresh();
    deployments.unavailableTimes = Infinity;
    startAgent({ applyGiveUpMs: 30 });
    cloud.createJob('hopeless', deployment('hopeless'));
    cloud.connect();
    await until(() => cloud.execution('hopeless')?.status === 'FAILED', 'the job to fail');
    expect(cloud.execution('hopeless')?.statusDetails).toEqual({
      phase: 'FAILED',
      reason: 'the component manager did not answer for 30 ms: no responders on lichen.deploy.apply',
    });
  });

  it('stops without reporting while a deployment runs; the next start takes the job up again', async () => {
    fresh();
    startAgent();
    cloud.createJob('restart', deployment('restart'));
    cloud.connect();
    await until(() => deployments.running.length === 1, 'the deployment');
    await agent?.stop();
    expect(cloud.execution('restart')?.status).toBe('IN_PROGRESS');

    startAgent();
    await until(() => deployments.running.includes('d-2'), 'the deployment to be applied again');
    deployments.finish('d-2', 'SUCCEEDED');
    await until(() => cloud.execution('restart')?.status === 'SUCCEEDED', 'the job to succeed');
  });
});
