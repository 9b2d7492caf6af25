import { describe, expect, it } from 'vitest';
import { ErrorCode } from '@lichen/contracts';
import { errorKinds } from '@lichen/errors';
import { errorKindOf, wireErrorCode } from './error-kinds.js';

describe('error kinds on the wire', () => {
  it('gives every kind its own status and code, and reads each back', () => {
    const wire = errorKinds.map((kind) => wireErrorCode(kind));
    expect(wire.map(({ status }) => status)).toEqual([400, 404, 409, 415, 500, 503, 504, 413]);
    expect(new Set(wire.map(({ code }) => code)).size).toBe(errorKinds.length);
    for (const kind of errorKinds) {
      const { status, code } = wireErrorCode(kind);
      expect(errorKindOf(status, code)).toBe(kind);
      expect(errorKindOf(status)).toBe(kind);
    }
  });

  it('prefers the body code to the status, and calls anything unknown internal', () => {
    expect(errorKindOf(500, ErrorCode.NOT_FOUND)).toBe('not-found');
    expect(errorKindOf(418)).toBe('internal');
    expect(errorKindOf(Number.NaN, ErrorCode.UNSPECIFIED)).toBe('internal');
  });
});
