import { isObject, type JsonObject, type JsonValue } from './json-value.js';

/** AWS IoT's limits for device shadows (its pages disagree on the depth: at most 5 levels is safe for both). */
export const SHADOW_LIMITS = {
  /** Bytes of `desired` and `reported` together, as JSON, metadata excluded. */
  stateBytes: 8 * 1024,
  /** Levels of objects under `desired` or `reported`. */
  depth: 5,
  thingNameBytes: 128,
  shadowNameBytes: 64,
  clientTokenBytes: 64,
} as const;

const NAME = /^[a-zA-Z0-9:_-]+$/;

/** What is wrong with a thing's or a shadow's name, as AWS IoT allows them; nothing when it is fine. */
export function nameProblem(kind: 'thing' | 'shadow', name: string): string | undefined {
  const limit = kind === 'thing' ? SHADOW_LIMITS.thingNameBytes : SHADOW_LIMITS.shadowNameBytes;
  if (!NAME.test(name)) return `the ${kind} name "${name}" may hold only letters, digits, ":", "_" and "-"`;
  if (Buffer.byteLength(name) > limit) return `the ${kind} name is longer than ${limit} bytes`;
  return undefined;
}

/** What is wrong with a request's `clientToken` (absent is fine); nothing when it is fine. */
export function clientTokenProblem(clientToken: unknown): string | undefined {
  if (clientToken === undefined) return undefined;
  if (typeof clientToken !== 'string') return 'clientToken must be a string';
  if (Buffer.byteLength(clientToken) > SHADOW_LIMITS.clientTokenBytes) {
    return `clientToken is longer than ${SHADOW_LIMITS.clientTokenBytes} bytes`;
  }
  return undefined;
}

/** How many levels of objects a value holds: 0 for a scalar or an array of scalars. */
export function depthOf(value: JsonValue): number {
  if (Array.isArray(value)) return Math.max(0, ...value.map(depthOf));
  if (!isObject(value)) return 0;
  return 1 + Math.max(0, ...Object.values(value).map(depthOf));
}

export function stateBytes(state: { desired?: JsonObject; reported?: JsonObject }): number {
  return Buffer.byteLength(JSON.stringify(state.desired ?? {})) + Buffer.byteLength(JSON.stringify(state.reported ?? {}));
}
