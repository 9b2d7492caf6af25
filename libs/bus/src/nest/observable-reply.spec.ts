import { of, throwError, concat, Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { toBusReply } from './observable-reply.js';

async function collect(result: unknown): Promise<unknown[]> {
  const items: unknown[] = [];
  for await (const item of result as AsyncIterable<unknown>) items.push(item);
  return items;
}

async function* numbers() {
  yield 1;
  yield 2;
}

describe('toBusReply', () => {
  it('passes a plain value and an async iterable through', async () => {
    expect(await toBusReply({ deviceId: 'a' })).toEqual({ deviceId: 'a' });
    const stream = numbers();
    expect(await toBusReply(stream)).toBe(stream);
  });

  it('makes an Observable of one value a single reply, and of many a stream', async () => {
    expect(await toBusReply(of({ deviceId: 'a' }))).toEqual({ deviceId: 'a' });
    expect(await collect(await toBusReply(of(1, 2, 3)))).toEqual([1, 2, 3]);
  });

  it('streams the async iterable an interceptor wrapped in an Observable', async () => {
    expect(await collect(await toBusReply(of(numbers())))).toEqual([1, 2]);
  });

  it('makes an empty Observable an empty stream', async () => {
    expect(await collect(await toBusReply(of()))).toEqual([]);
  });

  it('rejects when the Observable fails before its second value, and throws mid-stream after', async () => {
    await expect(toBusReply(throwError(() => new Error('boom')))).rejects.toThrow('boom');
    const failing = concat(
      of(1, 2),
      throwError(() => new Error('late')),
    );
    await expect(collect(await toBusReply(failing))).rejects.toThrow('late');
  });

  it('unsubscribes from a source the reader leaves early', async () => {
    let unsubscribed = false;
    const endless = new Observable<number>((subscriber) => {
      let n = 0;
      const timer = setInterval(() => subscriber.next(n++), 1);
      return () => {
        unsubscribed = true;
        clearInterval(timer);
      };
    });
    for await (const value of (await toBusReply(endless)) as AsyncIterable<number>) if (value >= 3) break;
    expect(unsubscribed).toBe(true);
  });
});
