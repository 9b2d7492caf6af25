import type { CloudLink, CloudMessage, LinkState } from '../link/cloud-link.js';
import type { Deployments } from './deployments.js';
import { acceptedVersion, executionStatus, readExecution, type JobExecution } from './job-execution.js';
import { runJob, type JobOutcome, type JobsLog } from './job-run.js';
import { JobsRequestError, JobsRequests, parseObject } from './jobs-requests.js';
import { JobsTopics } from './jobs-topics.js';
import { WakeSignal } from './wake-signal.js';

export type { JobsLog } from './job-run.js';

export interface JobsAgentOptions {
  readonly thingName: string;
  readonly link: CloudLink;
  readonly deployments: Deployments;
  readonly log: JobsLog;
  /** How long to wait for the cloud's answer to a request (10 s unless told). */
  readonly replyTimeoutMs?: number;
  /** The wait before asking again after a request got no usable answer, or the component manager none (5 s). */
  readonly retryDelayMs?: number;
  /** How long the component manager may stay unreachable before the job is reported FAILED (5 min). */
  readonly applyGiveUpMs?: number;
}

/** How a job ended on the device, kept until the cloud has it. */
interface JobReport extends JobOutcome {
  readonly jobId: string;
  expectedVersion: number;
}

/** What the loop does next: go on at once, wait for a wake-up (notify-next, a reconnection), or retry later. */
type Next = 'go-on' | 'idle' | 'retry';

/**
 * Deployments from the cloud as AWS IoT Jobs. At start and at every connection of the link the agent asks
 * `$next/get`, and `notify-next` wakes it; so a job queued (or left IN_PROGRESS) while the device was away is
 * picked up when it is back. One job at a time: QUEUED is set IN_PROGRESS (at the version the cloud gave), its
 * job document is handed to the component manager as a deployment, and when that deployment is final the job is
 * set SUCCEEDED or FAILED with `statusDetails` { deploymentId, phase, reason }, or REJECTED when the document is
 * not a valid deployment. Every update carries `expectedVersion`; a VersionMismatch makes the agent ask
 * `$next/get` and go on from what it says. The deployment does not depend on the link: when it drops mid-job the
 * deployment goes on, and its result is kept until the link is back and the cloud has taken it. A job found
 * IN_PROGRESS (the agent restarted mid-job) is applied again: the component manager finds nothing to change
 * when its deployment already runs, and finishes it otherwise.
 */
export class JobsAgent {
  readonly #topics: JobsTopics;
  readonly #requests: JobsRequests;
  readonly #stopping = new AbortController();
  readonly #wakeUps = new WakeSignal();
  /** The last request went unanswered (said once per run of them). */
  #unanswered = false;
  #report: JobReport | undefined;
  #loop: Promise<void> | undefined;
  #stops: (() => void)[] = [];

  constructor(private readonly options: JobsAgentOptions) {
    this.#topics = new JobsTopics(options.thingName);
    this.#requests = new JobsRequests(options.link, options.replyTimeoutMs ?? 10_000);
  }

  start(): void {
    if (this.#loop) return;
    const { link } = this.options;
    let state: LinkState = link.status.state;
    this.#stops = [
      this.#requests.listen(this.#topics.replyFilters),
      link.subscribe(this.#topics.notifyNext, (message) => this.#notified(message)),
      link.onStatus((status) => {
        if (status.state === 'connected' && state !== 'connected') this.#wakeUps.wake();
        state = status.state;
      }),
    ];
    this.#loop = this.#run();
  }

  /** Stops asking and reporting; a deployment in progress goes on, and its job is taken up again at the next start. */
  async stop(): Promise<void> {
    this.#stopping.abort(new Error('the jobs agent stopped'));
    this.#stops.splice(0).forEach((stop) => stop());
    this.#wakeUps.wake();
    await this.#loop;
  }

  async #run(): Promise<void> {
    const { signal } = this.#stopping;
    while (!signal.aborted) {
      let next: Next;
      try {
        if (this.options.link.status.state !== 'connected') next = 'idle';
        else if (this.#report) next = await this.#sendReport(this.#report);
        else next = await this.#takeNext();
      } catch (error) {
        if (signal.aborted) break;
        const known = error instanceof JobsRequestError;
        // A cloud without a jobs service never answers: said once, until an answer comes.
        const level = !known ? 'error' : this.#unanswered ? 'debug' : 'warn';
        this.#log(level, known ? 'jobs request unanswered' : 'jobs agent failed', {
          reason: (error as Error).message,
          retryInMs: this.#retryDelayMs,
        });
        this.#unanswered = known;
        if (!signal.aborted) await this.#wakeUps.wait(this.#retryDelayMs);
        continue;
      }
      this.#unanswered = false;
      if (next !== 'go-on' && !signal.aborted) await this.#wakeUps.wait(next === 'retry' ? this.#retryDelayMs : undefined);
    }
  }

  /** Asks `$next/get` and runs the execution it names, if any. */
  async #takeNext(): Promise<Next> {
    const execution = await this.#askNext();
    if (!execution) return 'idle';
    const { jobId } = execution;
    let version = execution.versionNumber;
    if (execution.status === 'QUEUED') {
      this.#log('info', 'job received', { job: jobId, version });
      const reply = await this.#requests.request(this.#topics.update(jobId), {
        status: 'IN_PROGRESS',
        expectedVersion: version,
        includeJobExecutionState: true,
      });
      if (!reply.accepted) {
        this.#log('warn', 'job not started: the cloud refused IN_PROGRESS', {
          job: jobId,
          code: reply.code,
          reason: reply.message,
        });
        // A VersionMismatch: `$next/get` says where the job is now. Anything else: not at once, it may be refused again.
        return reply.code === 'VersionMismatch' ? 'go-on' : 'retry';
      }
      version = acceptedVersion(reply.body) ?? version + 1;
      this.#log('info', 'job in progress', { job: jobId, version });
    } else {
      this.#log('info', 'job resumed: it is IN_PROGRESS in the cloud, so its deployment is applied again', {
        job: jobId,
        version,
      });
    }
    const outcome = await runJob(execution, {
      deployments: this.options.deployments,
      log: (level, event, fields) => this.#log(level, event, fields),
      retryDelayMs: this.#retryDelayMs,
      applyGiveUpMs: this.options.applyGiveUpMs ?? 300_000,
      signal: this.#stopping.signal,
    });
    this.#report = { jobId, ...outcome, expectedVersion: version };
    return 'go-on';
  }

  /** The thing's next pending execution, per `$next/get`; undefined when there is none (or it cannot be read). */
  async #askNext(): Promise<JobExecution | undefined> {
    this.#log('debug', 'asking for the next job', {});
    const reply = await this.#requests.request(this.#topics.nextGet, { includeJobDocument: true });
    if (!reply.accepted) throw new JobsRequestError(`the cloud refused $next/get: ${reply.code} ${reply.message}`);
    const execution = readExecution(reply.body);
    if (typeof execution === 'string') {
      this.#log('warn', 'the next job cannot be read', { reason: execution });
      return undefined;
    }
    if (execution && execution.status !== 'QUEUED' && execution.status !== 'IN_PROGRESS') {
      this.#log('warn', 'the next job is not pending', { job: execution.jobId, status: execution.status });
      return undefined;
    }
    if (!execution) this.#log('debug', 'no job pending', {});
    return execution;
  }

  /** Sends a finished job's status; kept for the next try when no answer comes. */
  async #sendReport(report: JobReport): Promise<Next> {
    const { jobId, status, statusDetails, expectedVersion } = report;
    const reply = await this.#requests.request(this.#topics.update(jobId), { status, statusDetails, expectedVersion });
    if (reply.accepted) {
      this.#log('info', 'job reported', { job: jobId, status, details: statusDetails });
      this.#report = undefined;
      return 'go-on';
    }
    if (executionStatus(reply.body) === status) {
      // An earlier try went through and its answer was lost: the cloud has this very status.
      this.#log('info', 'job reported', { job: jobId, status, details: statusDetails });
      this.#report = undefined;
      return 'go-on';
    }
    this.#log('warn', 'job report refused', { job: jobId, status, code: reply.code, reason: reply.message });
    if (reply.code === 'VersionMismatch') {
      const now = await this.#askNext();
      if (now?.jobId === jobId && now.status === 'IN_PROGRESS') {
        this.#log('info', 'job report to be sent again at the version the cloud has', { job: jobId, version: now.versionNumber });
        report.expectedVersion = now.versionNumber;
        return 'go-on';
      }
    }
    // Cancelled or removed in the cloud meanwhile, or already final: nothing left to report to.
    this.#log('warn', 'job result dropped: the job is no longer in progress in the cloud', { job: jobId, status });
    this.#report = undefined;
    return 'go-on';
  }

  #notified(message: CloudMessage): void {
    const body = parseObject(message.payload);
    const execution = body ? readExecution(body) : undefined;
    this.#log('debug', 'next job notified', { job: typeof execution === 'object' ? execution.jobId : undefined });
    this.#wakeUps.wake();
  }

  get #retryDelayMs(): number {
    return this.options.retryDelayMs ?? 5_000;
  }

  #log(level: Parameters<JobsLog>[0], event: string, fields: Record<string, unknown>): void {
    this.options.log(level, event, { thing: this.options.thingName, ...fields });
  }
}
