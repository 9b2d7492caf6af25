import type { ComponentSpec } from '../component/component-spec.js';
import type { ComponentStateName } from '../component/component-state.js';
import { formatDuration } from '../deadline.js';
import type { ComponentExit } from '../runtime/component-runtime.js';
import type { RestartBook } from './restart-book.js';

/** What an exit means for a component: its new state, why, and when to start it again (if at all). */
export interface ExitVerdict {
  readonly state: Extract<ComponentStateName, 'FINISHED' | 'ERRORED' | 'BROKEN'>;
  readonly reason: string;
  readonly recentErrors: number;
  /** Restart after this many milliseconds; undefined: stays down. */
  readonly restartInMs?: number;
}

/**
 * Applies the restart policy to an exit. A clean exit is FINISHED (restarted only under `always`); anything else
 * is an error: ERRORED and restarted with backoff unless the policy is `never`, BROKEN at the error limit.
 */
export function judgeExit(
  spec: ComponentSpec,
  exit: Pick<ComponentExit, 'exitCode' | 'signal' | 'oomKilled'>,
  restarts: RestartBook,
  now: number,
): ExitVerdict {
  if (exit.exitCode === 0 && !exit.oomKilled) {
    const restartInMs = spec.restart.policy === 'always' ? restarts.nextDelay(spec.name) : undefined;
    return { state: 'FINISHED', reason: 'exited with 0', recentErrors: restarts.recentErrors(spec.name, now), restartInMs };
  }
  return judgeError(spec, describeExit(spec, exit), restarts, now);
}

/** An error that is not an exit (a failed start, a health check that never passed) counts the same way. */
export function judgeError(spec: ComponentSpec, cause: string, restarts: RestartBook, now: number): ExitVerdict {
  const { broken, recentErrors } = restarts.recordError(spec.name, now);
  if (broken) {
    return {
      state: 'BROKEN',
      reason: `${cause} (${recentErrors} errors within ${formatDuration(restarts.errorWindowMs)})`,
      recentErrors,
    };
  }
  const restartInMs = spec.restart.policy === 'never' ? undefined : restarts.nextDelay(spec.name);
  return { state: 'ERRORED', reason: cause, recentErrors, restartInMs };
}

export function describeExit(spec: ComponentSpec, exit: Pick<ComponentExit, 'exitCode' | 'signal' | 'oomKilled'>): string {
  if (exit.oomKilled) {
    const limit = spec.resources.memoryBytes;
    return `OOM-killed: over its memory limit${limit ? ` of ${formatBytes(limit)}` : ''}`;
  }
  if (exit.signal) return `killed by ${exit.signal}`;
  return exit.exitCode === null ? 'exited (exit code unknown)' : `exited with ${exit.exitCode}`;
}

function formatBytes(bytes: number): string {
  const units: [string, number][] = [
    ['Gi', 2 ** 30],
    ['Mi', 2 ** 20],
    ['Ki', 2 ** 10],
  ];
  const unit = units.find(([, size]) => bytes >= size && bytes % size === 0);
  return unit ? `${bytes / unit[1]}${unit[0]}` : `${bytes} bytes`;
}
