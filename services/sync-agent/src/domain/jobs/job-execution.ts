import { isObject, type JsonObject, type JsonValue } from '../shadow/json-value.js';

/** What AWS IoT Jobs says an execution is; a device sets IN_PROGRESS, SUCCEEDED, FAILED or REJECTED. */
export type JobExecutionStatus =
  'QUEUED' | 'IN_PROGRESS' | 'SUCCEEDED' | 'FAILED' | 'REJECTED' | 'CANCELED' | 'TIMED_OUT' | 'REMOVED';

/** The statuses a device reports once it has run (or refused) a job. */
export type FinalJobStatus = 'SUCCEEDED' | 'FAILED' | 'REJECTED';

/** One job's execution on this thing, as `$next/get` and `notify-next` carry it (the fields the agent uses). */
export interface JobExecution {
  readonly jobId: string;
  readonly status: JobExecutionStatus;
  /** Goes up by one at every update: the `expectedVersion` of the next one. */
  readonly versionNumber: number;
  readonly jobDocument?: JsonValue;
}

/** AWS's job ids: 1 to 64 letters, digits, `-` or `_` (they become a topic level, so nothing else may pass). */
const JOB_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * The `execution` of a `$next/get` answer or a `notify-next` message: undefined when there is none (nothing is
 * pending), a string saying what is wrong when the cloud sent something that is not an execution.
 */
export function readExecution(body: JsonObject): JobExecution | undefined | string {
  const execution = body.execution;
  if (execution === undefined || execution === null) return undefined;
  if (!isObject(execution)) return 'execution is not an object';
  const { jobId, status, versionNumber, jobDocument } = execution;
  if (typeof jobId !== 'string' || !JOB_ID.test(jobId)) return `execution.jobId ${JSON.stringify(jobId ?? null)} is not a job id`;
  if (typeof status !== 'string') return `execution.status of job ${jobId} is missing`;
  if (typeof versionNumber !== 'number' || !Number.isInteger(versionNumber)) {
    return `execution.versionNumber of job ${jobId} is not a whole number`;
  }
  return { jobId, status: status as JobExecutionStatus, versionNumber, ...(jobDocument !== undefined ? { jobDocument } : {}) };
}

/** The version an update's `/accepted` answer gives (asked for with `includeJobExecutionState`), if it does. */
export function acceptedVersion(body: JsonObject): number | undefined {
  const state = body.executionState;
  if (!isObject(state)) return undefined;
  return Number.isInteger(state.versionNumber) ? (state.versionNumber as number) : undefined;
}

/** The status in the `executionState` a `/rejected` answer carries (AWS adds it to a VersionMismatch), if any. */
export function executionStatus(body: JsonObject): string | undefined {
  const state = body.executionState;
  return isObject(state) && typeof state.status === 'string' ? state.status : undefined;
}
