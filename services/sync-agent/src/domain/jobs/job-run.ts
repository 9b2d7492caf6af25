import { setTimeout as sleep } from 'node:timers/promises';
import { DeploymentRefusedError, DeploymentsUnavailableError, type Deployments } from './deployments.js';
import { deploymentText } from './job-document.js';
import type { FinalJobStatus, JobExecution } from './job-execution.js';
import { failureDetails, outcomeDetails, refusalDetails, type StatusDetails } from './job-status-details.js';

export type JobsLog = (level: 'debug' | 'info' | 'warn' | 'error', event: string, fields: Record<string, unknown>) => void;

/** How a job ended on the device: the status it reports, and the details that say why. */
export interface JobOutcome {
  readonly status: FinalJobStatus;
  readonly statusDetails: StatusDetails;
}

export interface JobRunSettings {
  readonly deployments: Deployments;
  readonly log: JobsLog;
  /** The wait between two tries while the component manager does not answer. */
  readonly retryDelayMs: number;
  /** How long the component manager may stay unreachable before the job fails. */
  readonly applyGiveUpMs: number;
  /** Aborts the run (the agent stops): it rejects, and the deployment goes on without it. */
  readonly signal: AbortSignal;
}

/**
 * Runs a job's deployment to its end: hands the job document to the component manager and waits for the
 * deployment's final phase. SUCCEEDED for a deployment that succeeded, FAILED for any other final phase (or one
 * that could not be queued or followed), REJECTED for a document that is not a valid deployment.
 */
export async function runJob(execution: JobExecution, settings: JobRunSettings): Promise<JobOutcome> {
  const { deployments, log, signal } = settings;
  const job = execution.jobId;
  const document = deploymentText(execution.jobDocument);
  if ('problem' in document) {
    log('warn', 'job rejected: its document is not a deployment', { job, reason: document.problem });
    return { status: 'REJECTED', statusDetails: refusalDetails(document.problem) };
  }
  let deployment: string;
  try {
    deployment = await apply(job, document.text, settings);
  } catch (error) {
    if (signal.aborted) throw error;
    if (error instanceof DeploymentRefusedError) {
      log('warn', 'job rejected: the component manager refused its deployment', {
        job,
        reason: error.message,
        problems: error.problems,
      });
      return { status: 'REJECTED', statusDetails: refusalDetails(error.message, error.problems) };
    }
    log('error', 'job failed: its deployment could not be queued', { job, reason: (error as Error).message });
    return { status: 'FAILED', statusDetails: failureDetails((error as Error).message) };
  }
  log('info', 'job deployment queued', { job, deployment });
  try {
    const outcome = await deployments.waitUntilFinal(deployment, signal);
    const succeeded = outcome.phase === 'SUCCEEDED';
    log(succeeded ? 'info' : 'warn', 'job deployment finished', {
      job,
      deployment,
      phase: outcome.phase,
      ...(outcome.reason ? { reason: outcome.reason } : {}),
    });
    return { status: succeeded ? 'SUCCEEDED' : 'FAILED', statusDetails: outcomeDetails(outcome) };
  } catch (error) {
    if (signal.aborted) throw error;
    const reason = `the deployment could not be followed: ${(error as Error).message}`;
    log('error', 'job failed', { job, deployment, reason });
    return { status: 'FAILED', statusDetails: failureDetails(reason, deployment) };
  }
}

/** Queues the deployment, again while the component manager cannot be reached, for up to `applyGiveUpMs`. */
async function apply(job: string, document: string, settings: JobRunSettings): Promise<string> {
  const { deployments, log, retryDelayMs, applyGiveUpMs, signal } = settings;
  const deadline = Date.now() + applyGiveUpMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return (await deployments.apply(document)).id;
    } catch (error) {
      if (!(error instanceof DeploymentsUnavailableError)) throw error;
      if (Date.now() >= deadline) {
        throw new Error(`the component manager did not answer for ${span(applyGiveUpMs)}: ${error.message}`, { cause: error });
      }
      log(attempt === 1 ? 'warn' : 'debug', 'the component manager did not answer; trying again', {
        job,
        attempt,
        reason: error.message,
        retryInMs: retryDelayMs,
      });
      await sleep(retryDelayMs, undefined, { signal });
    }
  }
}

/** A wait as a person reads it: `30 ms`, `45 s`, `5 min`. */
function span(ms: number): string {
  if (ms < 1_000) return `${ms} ms`;
  return ms < 120_000 ? `${Math.round(ms / 1_000)} s` : `${Math.round(ms / 60_000)} min`;
}
