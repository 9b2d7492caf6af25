import { isObject, type JsonObject, type JsonValue } from '../src/domain/shadow/json-value.js';
import type { CloudReply } from './aws-iot-shadows.js';

export type JobExecutionStatus =
  'QUEUED' | 'IN_PROGRESS' | 'SUCCEEDED' | 'FAILED' | 'REJECTED' | 'CANCELED' | 'TIMED_OUT' | 'REMOVED';

/** A job execution as a test sees it: where it is, and every status it went through, oldest first. */
export interface JobExecutionView {
  readonly status: JobExecutionStatus;
  readonly statusDetails?: Record<string, string>;
  readonly versionNumber: number;
  readonly history: readonly JobExecutionStatus[];
}

interface Execution {
  readonly thingName: string;
  readonly jobId: string;
  readonly jobDocument: JsonObject;
  readonly queuedAt: number;
  /** Creation order: AWS hands out executions in the order they were queued. */
  readonly order: number;
  status: JobExecutionStatus;
  statusDetails?: Record<string, string>;
  startedAt?: number;
  lastUpdatedAt: number;
  versionNumber: number;
  history: JobExecutionStatus[];
}

/** What a device may set (developer guide, "Jobs device MQTT API", UpdateJobExecution). */
const DEVICE_STATUSES: readonly JobExecutionStatus[] = ['IN_PROGRESS', 'SUCCEEDED', 'FAILED', 'REJECTED'];
const PENDING: readonly JobExecutionStatus[] = ['QUEUED', 'IN_PROGRESS'];

/** Thrown at a request AWS refuses: what comes back on `.../rejected` ("Jobs API", ErrorResponse). */
class JobRejection extends Error {
  constructor(
    readonly code: 'InvalidJson' | 'InvalidRequest' | 'InvalidStateTransition' | 'ResourceNotFound' | 'VersionMismatch',
    message: string,
    readonly execution?: Execution,
  ) {
    super(message);
  }
}

/**
 * AWS IoT Jobs' device side, in memory: executions per thing, the MQTT API a device calls under
 * `$aws/things/{thing}/jobs/` (`get`, `start-next`, `{jobId}/get` with `$next`, `{jobId}/update`) and
 * `notify-next` whenever the execution `$next` stands for changes. Timestamps are in seconds, as AWS sends them.
 */
export class JobsService {
  private readonly executions = new Map<string, Execution[]>();
  private created = 0;

  execution(thing: string, jobId: string): JobExecutionView | undefined {
    const execution = this.find(thing, jobId);
    if (!execution) return undefined;
    const { status, statusDetails, versionNumber, history } = execution;
    return { status, versionNumber, history: [...history], ...(statusDetails ? { statusDetails: { ...statusDetails } } : {}) };
  }

  /** Queues an execution of a job on a thing, as CreateJob does for a thing in its targets. */
  create(thing: string, jobId: string, jobDocument: JsonObject): CloudReply[] {
    if (this.find(thing, jobId)) throw new Error(`job ${jobId} already has an execution on ${thing}`);
    return this.changing(thing, () => {
      const now = nowSeconds();
      const list = this.executions.get(thing) ?? [];
      list.push({
        thingName: thing,
        jobId,
        jobDocument,
        queuedAt: now,
        order: this.created++,
        status: 'QUEUED',
        lastUpdatedAt: now,
        versionNumber: 1,
        history: ['QUEUED'],
      });
      this.executions.set(thing, list);
    });
  }

  /** Cancels an execution from the cloud side, as CancelJobExecution does (`force` is implied). */
  cancel(thing: string, jobId: string): CloudReply[] {
    const execution = this.find(thing, jobId);
    if (!execution || !PENDING.includes(execution.status)) throw new Error(`job ${jobId} has no pending execution on ${thing}`);
    return this.changing(thing, () => moveTo(execution, 'CANCELED'));
  }

  /** A device's request under `$aws/things/{thing}/jobs/` (`path` is what follows): the replies AWS publishes. */
  request(thing: string, path: readonly string[], payload: Uint8Array): CloudReply[] {
    const topic = `$aws/things/${thing}/jobs/${path.join('/')}`;
    let body: JsonObject = {};
    try {
      body = readRequest(payload);
      const { replies, accepted } = this.answer(thing, path, body);
      return [{ topic: `${topic}/accepted`, body: withToken({ ...accepted, timestamp: nowSeconds() }, body) }, ...replies];
    } catch (error) {
      if (!(error instanceof JobRejection)) throw error;
      const rejection: JsonObject = { code: error.code, message: error.message, timestamp: nowSeconds() };
      if (error.execution) rejection.executionState = executionState(error.execution);
      return [{ topic: `${topic}/rejected`, body: withToken(rejection, body) }];
    }
  }

  private answer(thing: string, path: readonly string[], body: JsonObject): { accepted: JsonObject; replies: CloudReply[] } {
    const [first = '', second] = path;
    if (path.length === 1 && first === 'get') {
      const pending = this.pending(thing);
      const summaries = (status: JobExecutionStatus) => pending.filter((each) => each.status === status).map(summary);
      return { accepted: { inProgressJobs: summaries('IN_PROGRESS'), queuedJobs: summaries('QUEUED') }, replies: [] };
    }
    if (path.length === 1 && first === 'start-next') {
      const details = statusDetailsOf(body);
      let started: Execution | undefined;
      const replies = this.changing(thing, () => {
        started = this.next(thing);
        if (started?.status === 'QUEUED') moveTo(started, 'IN_PROGRESS', details);
      });
      return { accepted: started ? { execution: describe(started, true) } : {}, replies };
    }
    if (path.length === 2 && second === 'get') {
      const execution = first === '$next' ? this.next(thing) : this.find(thing, first);
      if (!execution && first !== '$next') throw notFound(thing, first);
      const withDocument = body.includeJobDocument !== false;
      return { accepted: execution ? { execution: describe(execution, withDocument) } : {}, replies: [] };
    }
    if (path.length === 2 && second === 'update') return this.update(thing, first, body);
    throw new JobRejection('InvalidRequest', `no Jobs API at $aws/things/${thing}/jobs/${path.join('/')}`);
  }

  /** UpdateJobExecution: a status a device may set, from a status it may leave, at the version it expects. */
  private update(thing: string, jobId: string, body: JsonObject): { accepted: JsonObject; replies: CloudReply[] } {
    const { status, expectedVersion } = body;
    if (typeof status !== 'string' || !DEVICE_STATUSES.includes(status as JobExecutionStatus)) {
      throw new JobRejection(
        'InvalidRequest',
        `status must be one of ${DEVICE_STATUSES.join(', ')}; got ${JSON.stringify(status ?? null)}`,
      );
    }
    if (expectedVersion !== undefined && !Number.isInteger(expectedVersion)) {
      throw new JobRejection('InvalidRequest', 'expectedVersion must be a whole number');
    }
    const details = statusDetailsOf(body);
    const execution = this.find(thing, jobId);
    if (!execution) throw notFound(thing, jobId);
    if (expectedVersion !== undefined && expectedVersion !== execution.versionNumber) {
      throw new JobRejection(
        'VersionMismatch',
        `expected version ${String(expectedVersion)}, the execution is at ${execution.versionNumber}`,
        execution,
      );
    }
    if (!PENDING.includes(execution.status)) {
      throw new JobRejection(
        'InvalidStateTransition',
        `the execution is ${execution.status} and cannot become ${status}`,
        execution,
      );
    }
    const replies = this.changing(thing, () => moveTo(execution, status as JobExecutionStatus, details));
    const accepted: JsonObject = {
      ...(body.includeJobExecutionState === true ? { executionState: executionState(execution) } : {}),
      ...(body.includeJobDocument === true ? { jobDocument: execution.jobDocument } : {}),
    };
    return { accepted, replies };
  }

  /** Runs a change and says `notify-next` when the next execution is another one after it (AWS's NextJobExecutionChanged). */
  private changing(thing: string, change: () => void): CloudReply[] {
    const before = this.next(thing);
    change();
    const after = this.next(thing);
    if (before === after) return [];
    const body: JsonObject = { timestamp: nowSeconds(), ...(after ? { execution: notified(after) } : {}) };
    return [{ topic: `$aws/things/${thing}/jobs/notify-next`, body }];
  }

  private find(thing: string, jobId: string): Execution | undefined {
    return this.executions.get(thing)?.find((each) => each.jobId === jobId);
  }

  private pending(thing: string): Execution[] {
    return (this.executions.get(thing) ?? []).filter((each) => PENDING.includes(each.status)).sort((a, b) => a.order - b.order);
  }

  /** `$next`: the oldest IN_PROGRESS execution, else the oldest QUEUED one. */
  private next(thing: string): Execution | undefined {
    const pending = this.pending(thing);
    return pending.find((each) => each.status === 'IN_PROGRESS') ?? pending[0];
  }
}

function moveTo(execution: Execution, status: JobExecutionStatus, statusDetails?: Record<string, string>): void {
  const now = nowSeconds();
  if (execution.status === 'QUEUED' && status !== 'QUEUED') execution.startedAt = now;
  execution.status = status;
  if (statusDetails) execution.statusDetails = statusDetails;
  execution.lastUpdatedAt = now;
  execution.versionNumber += 1;
  execution.history.push(status);
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

function notFound(thing: string, jobId: string): JobRejection {
  return new JobRejection('ResourceNotFound', `job execution ${jobId} does not exist for thing ${thing}`);
}

/** A JobExecution as `$next/get`, `{jobId}/get` and `start-next` carry it. */
function describe(execution: Execution, withDocument: boolean): JsonObject {
  return {
    jobId: execution.jobId,
    thingName: execution.thingName,
    status: execution.status,
    ...(execution.statusDetails ? { statusDetails: execution.statusDetails } : {}),
    queuedAt: execution.queuedAt,
    ...(execution.startedAt !== undefined ? { startedAt: execution.startedAt } : {}),
    lastUpdatedAt: execution.lastUpdatedAt,
    versionNumber: execution.versionNumber,
    executionNumber: 1,
    ...(withDocument ? { jobDocument: execution.jobDocument } : {}),
  };
}

/** The execution in a `notify-next` message: AWS leaves the thing's name out there. */
function notified(execution: Execution): JsonObject {
  const body = describe(execution, true);
  delete body.thingName;
  return body;
}

function summary(execution: Execution): JsonObject {
  const { jobId, queuedAt, startedAt, lastUpdatedAt, versionNumber } = execution;
  return { jobId, queuedAt, ...(startedAt !== undefined ? { startedAt } : {}), lastUpdatedAt, versionNumber, executionNumber: 1 };
}

function executionState(execution: Execution): JsonObject {
  const { status, statusDetails, versionNumber } = execution;
  return { status, ...(statusDetails ? { statusDetails } : {}), versionNumber };
}

/** A request body: JSON, an object; an empty payload counts as `{}`. */
function readRequest(payload: Uint8Array): JsonObject {
  const text = Buffer.from(payload).toString('utf8');
  if (text.trim() === '') return {};
  let body: JsonValue;
  try {
    body = JSON.parse(text) as JsonValue;
  } catch {
    throw new JobRejection('InvalidJson', 'the request is not valid JSON');
  }
  if (!isObject(body)) throw new JobRejection('InvalidRequest', 'the request must be a JSON object');
  if (body.clientToken !== undefined && (typeof body.clientToken !== 'string' || Buffer.byteLength(body.clientToken) > 64)) {
    throw new JobRejection('InvalidRequest', 'clientToken must be a string of at most 64 bytes');
  }
  return body;
}

function statusDetailsOf(body: JsonObject): Record<string, string> | undefined {
  const details = body.statusDetails;
  if (details === undefined) return undefined;
  if (!isObject(details) || !Object.values(details).every((value) => typeof value === 'string')) {
    throw new JobRejection('InvalidRequest', 'statusDetails must map names to strings');
  }
  return details as Record<string, string>;
}

function withToken(body: JsonObject, request: JsonObject): JsonObject {
  return typeof request.clientToken === 'string' ? { ...body, clientToken: request.clientToken } : body;
}
