import { describe, expect, it } from 'vitest';
import { StepAbortedError, StepTimeoutError, withDeadline } from './deadline.js';

describe('withDeadline', () => {
  it('rejects at its deadline even when the work never settles', async () => {
    const started = Date.now();
    const never = new Promise<void>(() => undefined);
    await expect(withDeadline('pulling app:1', 50, undefined, () => never)).rejects.toThrow(StepTimeoutError);
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('when the caller aborts, waits for the work to finish what it was doing, then says the step was stopped', async () => {
    const caller = new AbortController();
    const done: string[] = [];
    const step = withDeadline('starting app', 5_000, caller.signal, async (signal) => {
      await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
      await new Promise((resolve) => setTimeout(resolve, 30)); // the container it was creating comes up
      done.push('container started');
    });
    caller.abort(new Error('cancelled by the operator'));
    await expect(step).rejects.toThrow(StepAbortedError);
    expect(done).toEqual(['container started']);
  });

  it('still gives up at the deadline on work that ignores the abort', async () => {
    const caller = new AbortController();
    const step = withDeadline('stopping app', 50, caller.signal, () => new Promise<void>(() => undefined));
    caller.abort(new Error('cancelled'));
    await expect(step).rejects.toThrow('stopping app timed out after 50ms');
  });
});
