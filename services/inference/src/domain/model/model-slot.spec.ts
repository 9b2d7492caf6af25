import { describe, expect, it } from 'vitest';
import type { LoadedModel } from './model-runtime.js';
import { ModelSlot } from './model-slot.js';

/** A model whose runs end when the test says, and which fails a run started after its release, as onnxruntime does. */
class FakeModel implements LoadedModel {
  readonly inputs = [];
  readonly outputs = [];
  released = false;
  readonly #waiting: (() => void)[] = [];

  constructor(readonly label: string) {}

  async run() {
    if (this.released) throw new Error('Session already disposed');
    await new Promise<void>((resolve) => this.#waiting.push(resolve));
    if (this.released) throw new Error('Session already disposed');
    return [];
  }

  finishOne(): void {
    this.#waiting.shift()?.();
  }

  async release(): Promise<void> {
    this.released = true;
  }
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('ModelSlot', () => {
  it('finishes runs on the version they started on, sends new ones to the new version, and releases the old after its last run', async () => {
    const slot = new ModelSlot();
    const v1 = new FakeModel('v1');
    const v2 = new FakeModel('v2');
    slot.swap('1', v1);
    const first = slot.use(async (model) => (await model.run([]), (model as FakeModel).label));
    const second = slot.use(async (model) => (await model.run([]), (model as FakeModel).label));
    await tick();

    slot.swap('2', v2);
    const third = slot.use(async (model) => (await model.run([]), (model as FakeModel).label));
    await tick();
    expect(slot.version).toBe('2');
    expect(v1.released).toBe(false);

    v1.finishOne();
    await expect(first).resolves.toEqual({ value: 'v1', version: '1' });
    expect(v1.released).toBe(false);
    v1.finishOne();
    await expect(second).resolves.toEqual({ value: 'v1', version: '1' });
    await slot.released();
    expect(v1.released).toBe(true);

    v2.finishOne();
    await expect(third).resolves.toEqual({ value: 'v2', version: '2' });
    expect(v2.released).toBe(false);
  });

  it('releases a replaced version at once when nothing runs on it, and says when none is loaded', async () => {
    const slot = new ModelSlot();
    expect(await slot.use(async () => 'never')).toBeUndefined();
    const v1 = new FakeModel('v1');
    slot.swap('1', v1);
    slot.swap('2', new FakeModel('v2'));
    await slot.released();
    expect(v1.released).toBe(true);
  });

  it('keeps the last version for its runs after being cleared, then releases it', async () => {
    const slot = new ModelSlot();
    const v1 = new FakeModel('v1');
    slot.swap('1', v1);
    const running = slot.use((model) => model.run([]));
    await tick();
    slot.clear();
    expect(slot.version).toBeUndefined();
    expect(v1.released).toBe(false);
    v1.finishOne();
    await expect(running).resolves.toEqual({ value: [], version: '1' });
    await slot.released();
    expect(v1.released).toBe(true);
  });

  it('says a release that failed, and goes on', async () => {
    const failures: string[] = [];
    const slot = new ModelSlot((version, error) => failures.push(`${version}: ${(error as Error).message}`));
    const broken = new FakeModel('v1');
    broken.release = async () => {
      throw new Error('native error');
    };
    slot.swap('1', broken);
    slot.swap('2', new FakeModel('v2'));
    await slot.released();
    expect(failures).toEqual(['1: native error']);
    expect(slot.version).toBe('2');
  });
});
