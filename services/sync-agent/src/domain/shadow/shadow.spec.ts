import { describe, expect, it } from 'vitest';
import type { ShadowDocument } from './shadow-document.js';
import { shadowDelta } from './shadow-delta.js';
import { nameProblem } from './shadow-limits.js';
import { mergeSection } from './shadow-merge.js';
import { applyShadowUpdate } from './shadow-update.js';

function updated(current: ShadowDocument | undefined, body: unknown, now = 100): ShadowDocument {
  const result = applyShadowUpdate(current, body, now);
  if (!result.ok) throw new Error(result.rejection.message);
  return result.value.document;
}

const rejection = (current: ShadowDocument | undefined, body: unknown) => {
  const result = applyShadowUpdate(current, body, 1);
  return result.ok ? undefined : result.rejection;
};

describe('applyShadowUpdate', () => {
  it('makes a shadow at version 1 with a timestamp per leaf, then merges key by key', () => {
    const first = updated(
      undefined,
      { state: { desired: { fan: { speed: 3, mode: 'auto' } }, reported: { fan: { speed: 1 } } } },
      100,
    );
    expect(first).toEqual({
      state: { desired: { fan: { speed: 3, mode: 'auto' } }, reported: { fan: { speed: 1 } } },
      metadata: {
        desired: { fan: { speed: { timestamp: 100 }, mode: { timestamp: 100 } } },
        reported: { fan: { speed: { timestamp: 100 } } },
      },
      version: 1,
      timestamp: 100,
    });
    const second = updated(first, { state: { reported: { fan: { speed: 3 }, temp: [20, 21] } } }, 200);
    expect(second.state.reported).toEqual({ fan: { speed: 3 }, temp: [20, 21] });
    expect(second.metadata.reported).toEqual({ fan: { speed: { timestamp: 200 } }, temp: { timestamp: 200 } });
    expect(second.state.desired).toEqual(first.state.desired);
    expect([second.version, second.timestamp]).toEqual([2, 200]);
  });

  it('deletes a key with null, an emptied object with it, and a whole section with null', () => {
    const shadow = updated(undefined, { state: { desired: { fan: { speed: 3 }, light: 'on' } } });
    expect(updated(shadow, { state: { desired: { fan: { speed: null } } } }).state.desired).toEqual({ light: 'on' });
    const gone = updated(shadow, { state: { desired: null } });
    expect(gone.state).toEqual({});
    expect(gone.metadata).toEqual({});
  });

  it('applies a version only when it is the current one', () => {
    const shadow = updated(undefined, { state: { reported: { a: 1 } } });
    expect(rejection(shadow, { state: { reported: { a: 2 } }, version: 5 })).toEqual({ code: 409, message: 'Version conflict' });
    expect(updated(shadow, { state: { reported: { a: 2 } }, version: 1 }).version).toBe(2);
  });

  it('refuses what AWS IoT refuses, saying why', () => {
    expect(rejection(undefined, 'text')?.code).toBe(400);
    expect(rejection(undefined, {})).toEqual({ code: 400, message: 'Missing required node: state' });
    expect(rejection(undefined, { state: { wanted: {} } })).toEqual({
      code: 400,
      message: 'State contains an invalid node: wanted',
    });
    expect(rejection(undefined, { state: { desired: 3 } })).toEqual({
      code: 400,
      message: 'state.desired must be an object or null',
    });
    expect(rejection(undefined, { state: {}, clientToken: 'x'.repeat(65) })?.message).toMatch(
      /clientToken is longer than 64 bytes/,
    );
    expect(rejection(undefined, { state: {}, extra: 1 })?.code).toBe(400);
    const deep = { a: { b: { c: { d: { e: { f: 1 } } } } } };
    expect(rejection(undefined, { state: { reported: deep } })?.message).toMatch(/nests 6 levels of objects; at most 5/);
    expect(
      rejection(undefined, { state: { desired: { blob: 'x'.repeat(5_000) }, reported: { blob: 'y'.repeat(4_000) } } })?.code,
    ).toBe(413);
  });
});

describe('shadowDelta', () => {
  it('is what desired asks that reported does not say, with its metadata', () => {
    const shadow = updated(undefined, {
      state: {
        desired: { fan: { speed: 3, mode: 'auto' }, light: 'on', list: [1, 2] },
        reported: { fan: { speed: 3 }, light: 'off', list: [1, 2] },
      },
    });
    expect(shadowDelta(shadow)).toEqual({
      state: { fan: { mode: 'auto' }, light: 'on' },
      metadata: { fan: { mode: { timestamp: 100 } }, light: { timestamp: 100 } },
    });
    expect(shadowDelta(updated(shadow, { state: { reported: { fan: { mode: 'auto' }, light: 'on' } } }))).toBeUndefined();
  });
});

describe('mergeSection', () => {
  const base = { fan: { speed: 1, mode: 'auto' }, light: 'off', gone: true };
  it('keeps what either side changed, and the preferred side where both changed the same key', () => {
    const local = { fan: { speed: 2, mode: 'auto' }, light: 'on', gone: true };
    const cloud = { fan: { speed: 5, mode: 'eco' }, light: 'off' };
    expect(mergeSection(base, local, cloud, 'local')).toEqual({ fan: { speed: 2, mode: 'eco' }, light: 'on' });
    expect(mergeSection(base, local, cloud, 'cloud')).toEqual({ fan: { speed: 5, mode: 'eco' }, light: 'on' });
  });

  it('takes either side whole when there is no base yet, preferring one where they differ', () => {
    expect(mergeSection(undefined, { a: 1, b: 1 }, { b: 2, c: 3 }, 'cloud')).toEqual({ a: 1, b: 2, c: 3 });
    expect(mergeSection(undefined, undefined, undefined, 'local')).toBeUndefined();
  });
});

describe('nameProblem', () => {
  it('holds thing and shadow names to what AWS IoT allows', () => {
    expect(nameProblem('thing', 'press-7:line_3')).toBeUndefined();
    expect(nameProblem('shadow', 'a'.repeat(65))).toBe('the shadow name is longer than 64 bytes');
    expect(nameProblem('thing', 'a b')).toMatch(/only letters/);
  });
});
