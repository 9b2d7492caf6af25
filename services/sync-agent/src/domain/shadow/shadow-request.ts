import { isObject, type JsonValue } from './json-value.js';
import { clientTokenProblem } from './shadow-limits.js';
import { rejected, type ShadowResult } from './shadow-rejection.js';

/** A get or a delete as a client sends it: both may be empty. */
export interface ShadowRequest {
  readonly clientToken?: string;
  /** Delete only: applies only to this version (an optimistic lock, as for an update). */
  readonly version?: number;
}

/** The body of a get or a delete (nothing, or an object with `clientToken` and `version`), or why it is not one. */
export function readShadowRequest(body: unknown): ShadowResult<ShadowRequest> {
  if (body === undefined || body === null) return { ok: true, value: {} };
  if (!isObject(body as JsonValue)) return rejected(400, 'Invalid JSON: a request is an object with clientToken and version');
  const { clientToken, version, ...rest } = body as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) return rejected(400, `Unexpected field ${unknown[0]}: a request has clientToken and version`);
  return readTokenAndVersion(clientToken, version);
}

/** The `clientToken` and `version` every shadow request may carry, checked as AWS IoT does. */
export function readTokenAndVersion(clientToken: unknown, version: unknown): ShadowResult<ShadowRequest> {
  const tokenProblem = clientTokenProblem(clientToken);
  if (tokenProblem) return rejected(400, tokenProblem);
  if (version !== undefined && !(Number.isInteger(version) && (version as number) >= 0)) {
    return rejected(400, 'version must be a whole number');
  }
  return {
    ok: true,
    value: {
      ...(clientToken !== undefined ? { clientToken: clientToken as string } : {}),
      ...(version !== undefined ? { version: version as number } : {}),
    },
  };
}
