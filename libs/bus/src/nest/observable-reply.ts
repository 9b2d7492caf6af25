import { isObservable, type Observable } from 'rxjs';
import { isAsyncIterable } from '../serving/request-responder.js';

/**
 * A Nest handler's result as the bus serves it. An `AsyncIterable` streams. An `Observable` streams when it
 * emits more than one value; one value is a single reply (Nest wraps every result of an intercepted handler in
 * one, and an interceptor around a streaming handler emits the `AsyncIterable` itself); none is an empty
 * stream. Anything else is the reply.
 */
export async function toBusReply(result: unknown): Promise<unknown> {
  if (!isObservable(result)) return result;
  const values = observableValues(result)[Symbol.asyncIterator]();
  const first = await values.next();
  if (first.done) return emptyStream();
  if (isAsyncIterable(first.value)) {
    void values.return?.(undefined);
    return first.value;
  }
  const second = await values.next();
  if (second.done) return first.value;
  return (async function* () {
    try {
      yield first.value;
      yield second.value;
      for (let next = await values.next(); !next.done; next = await values.next()) yield next.value;
    } finally {
      await values.return?.(undefined);
    }
  })();
}

async function* emptyStream(): AsyncGenerator<never> {
  // Nothing to send: the stream is only its end marker.
}

/** The values of an Observable, one by one, buffered while the reader is busy; its error is thrown at the reader. */
async function* observableValues<T>(source: Observable<T>): AsyncGenerator<T> {
  const buffered: T[] = [];
  let finished = false;
  let failure: { error: unknown } | undefined;
  let wake: (() => void) | undefined;
  const signal = () => wake?.();
  const subscription = source.subscribe({
    next: (value) => (buffered.push(value), signal()),
    error: (error: unknown) => ((failure = { error }), signal()),
    complete: () => ((finished = true), signal()),
  });
  try {
    for (;;) {
      if (buffered.length) yield buffered.shift() as T;
      else if (failure) throw failure.error;
      else if (finished) return;
      else await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    subscription.unsubscribe();
  }
}
