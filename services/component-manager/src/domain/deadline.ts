/** A step that ran out of time: what it was and how long it had. */
export class StepTimeoutError extends Error {
  override readonly name = 'StepTimeoutError';
  constructor(
    readonly step: string,
    readonly timeoutMs: number,
  ) {
    super(`${step} timed out after ${formatDuration(timeoutMs)}`);
  }
}

/** A step that was stopped from outside (a cancelled or timed-out deployment). */
export class StepAbortedError extends Error {
  override readonly name = 'StepAbortedError';
  constructor(
    readonly step: string,
    readonly reason: unknown,
    /** The component the step was for, when it was for one. */
    readonly component?: string,
  ) {
    super(`${step} stopped: ${reason instanceof Error ? reason.message : String(reason)}`);
  }

  forComponent(component: string): StepAbortedError {
    return new StepAbortedError(this.step, this.reason, component);
  }
}

/**
 * Runs `work` with its own deadline and the caller's signal, so no step can wedge a deployment: at the deadline
 * it rejects even if `work` never settles. When the caller aborts (a cancel, the deployment's own deadline),
 * `work` is told through its signal and waited for, up to the same deadline: what it did (a container it
 * started) is then on the device for the next plan to see, instead of landing after the caller has moved on.
 */
export async function withDeadline<T>(
  step: string,
  timeoutMs: number,
  parent: AbortSignal | undefined,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  if (parent?.aborted) throw new StepAbortedError(step, parent.reason);
  const controller = new AbortController();
  const onAbort = () => controller.abort(parent?.reason);
  parent?.addEventListener('abort', onAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new StepTimeoutError(step, timeoutMs);
      controller.abort(error);
      reject(error);
    }, timeoutMs);
  });
  try {
    const result = await Promise.race([work(controller.signal), timedOut]);
    if (parent?.aborted) throw new StepAbortedError(step, parent.reason);
    return result;
  } catch (error) {
    if (parent?.aborted && !(error instanceof StepTimeoutError) && !(error instanceof StepAbortedError)) {
      throw new StepAbortedError(step, parent.reason);
    }
    throw error;
  } finally {
    clearTimeout(timer);
    parent?.removeEventListener('abort', onAbort);
  }
}

/** 1500 -> `1.5s`, 120000 -> `2m`, 90000 -> `90s`: how durations are written in documents and messages. */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${ms}ms`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${Number((ms / 1_000).toFixed(3))}s`;
}

/** Resolves after `ms`, or rejects at once when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
