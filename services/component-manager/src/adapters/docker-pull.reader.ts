import type { Readable } from 'node:stream';
import { jsonLines } from './docker-json-lines.reader.js';

/**
 * Follows the progress stream of `POST /images/create` to its end. The engine answers 200 at once and reports a
 * failure (no such image, unauthorized) as a message with `error` inside the stream: its reason is returned,
 * undefined when the pull succeeded. When `signal` aborts the stream is destroyed, and this rejects.
 */
export async function readPullFailure(stream: Readable, signal: AbortSignal): Promise<string | undefined> {
  const abort = () => stream.destroy(signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason)));
  if (signal.aborted) abort();
  else signal.addEventListener('abort', abort, { once: true });
  let failure: string | undefined;
  try {
    for await (const message of jsonLines(stream)) {
      const { error, errorDetail } = message as { error?: string; errorDetail?: { message?: string } };
      if (error) failure = errorDetail?.message ?? error;
    }
    return failure;
  } finally {
    signal.removeEventListener('abort', abort);
  }
}
