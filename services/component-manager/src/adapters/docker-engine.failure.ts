import { DockerRuntimeError, type DockerRuntimeErrorCode } from './docker-runtime.error.js';

/** The HTTP status of an engine answer that dockerode turned into an error. */
export function statusOf(error: unknown): number | undefined {
  return (error as { statusCode?: number } | null)?.statusCode;
}

/** The engine's own words: dockerode wraps them as `(HTTP code 404) no such container - <message>`. */
export function reasonOf(error: unknown): string {
  const json = (error as { json?: { message?: unknown } } | null)?.json;
  if (typeof json?.message === 'string') return json.message.trim();
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/^\(HTTP code \d+\) [^-]*- /, '').trim();
}

/** No engine at the other end of the socket, or it went away mid-answer. */
export function isConnectionError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code === 'ECONNREFUSED' || code === 'ENOENT' || code === 'EACCES' || code === 'ECONNRESET' || code === 'EPIPE';
}

/** A `.catch` that swallows the engine's answers with these statuses (gone already, already stopping). */
export function ignoreStatus(...statuses: number[]): (error: unknown) => undefined {
  return (error) => {
    if (statuses.includes(statusOf(error) ?? 0)) return undefined;
    throw error;
  };
}

/** A failed engine call as a `DockerRuntimeError`: `DOCKER_UNAVAILABLE` when no engine answered, else `code`. */
export function engineFailure(
  error: unknown,
  code: DockerRuntimeErrorCode,
  message: string,
  context: { socketPath: string; fields?: Record<string, unknown> },
): DockerRuntimeError {
  if (error instanceof DockerRuntimeError) return error;
  const { socketPath, fields } = context;
  if (isConnectionError(error)) {
    const reason = `the Docker engine at ${socketPath} does not answer (${reasonOf(error)})`;
    return new DockerRuntimeError('DOCKER_UNAVAILABLE', `${message}: ${reason}`, { cause: error, fields });
  }
  return new DockerRuntimeError(code, `${message}: ${reasonOf(error)}`, { cause: error, fields });
}

/** Runs `work`; once `signal` has aborted, whatever it throws becomes the signal's reason, as the port says. */
export async function underSignal<T>(signal: AbortSignal, work: () => Promise<T>): Promise<T> {
  signal.throwIfAborted();
  try {
    return await work();
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    throw error;
  }
}

/** For the few calls dockerode cannot abort: stops waiting when `signal` aborts. */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(signal.reason);
    signal.addEventListener('abort', abort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort));
  });
}
