import { fromJson } from '@bufbuild/protobuf';
import { ComponentStateEventSchema } from '@lichen/contracts';
import { describe, expect, it } from 'vitest';
import { checkShape } from './proto-shape.checker.js';

// ComponentStateEvent has what the deployment document lacks: an enum and a google.protobuf.Timestamp.
describe('checkShape on enums and well-known types', () => {
  it('takes an enum by name and a timestamp in RFC 3339, as fromJson does', () => {
    const input = { component: 'sensor', state: 'COMPONENT_STATE_RUNNING', time: '2026-03-01T10:00:00Z', removed: false };
    const shape = checkShape(ComponentStateEventSchema, input);
    expect(shape.problems).toEqual([]);
    expect(fromJson(ComponentStateEventSchema, shape.value).time?.seconds).toBe(
      BigInt(Date.parse('2026-03-01T10:00:00Z') / 1000),
    );
  });

  it('names an enum value it does not know, with the likely one, and a timestamp it cannot read', () => {
    const shape = checkShape(ComponentStateEventSchema, { state: 'COMPONENT_STATE_RUNING', time: 'yesterday', removed: 'no' });
    expect(shape.problems).toEqual([
      {
        path: 'state',
        reason: expect.stringMatching(
          /^expected one of COMPONENT_STATE_UNSPECIFIED, .*, got "COMPONENT_STATE_RUNING" \(did you mean "COMPONENT_STATE_RUNNING"\?\)$/,
        ),
      },
      { path: 'time', reason: '"yesterday" is not a google.protobuf.Timestamp (invalid RFC 3339 string)' },
      { path: 'removed', reason: 'expected true or false, got "no"' },
    ]);
    expect(() => fromJson(ComponentStateEventSchema, shape.value)).not.toThrow();
  });
});
