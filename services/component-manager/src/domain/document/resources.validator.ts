import type { JsonValue } from '@bufbuild/protobuf';
import type { Resources } from '@lichen/contracts';
import type { ComponentSpec } from '../component/component-spec.js';
import { isPlainObject } from './json-kind.js';
import { parseQuantity } from './quantity.js';
import type { ValidationContext } from './validation-context.js';
import { fieldPath } from './violation.js';

/** Docker refuses a memory limit below 6 MiB. */
const MIN_MEMORY_BYTES = 6 * 2 ** 20;

/**
 * Reads a component's `resources`: `memory` a quantity, at least Docker's minimum, into bytes; `cpus` more
 * than 0. `json` is the same `resources` as the shape check normalized it: proto3 cannot tell `cpus: 0`
 * written from `cpus` left out, and only the first is a mistake.
 */
export function validateResources(
  resources: Resources | undefined,
  json: JsonValue | undefined,
  path: string,
  context: ValidationContext,
): ComponentSpec['resources'] {
  const memory = resources?.memory ?? '';
  let memoryBytes: number | undefined;
  if (memory !== '') {
    const parsed = parseQuantity(memory);
    if (!parsed.ok) context.report(fieldPath(path, 'memory'), parsed.reason);
    else if (parsed.bytes < MIN_MEMORY_BYTES)
      context.report(fieldPath(path, 'memory'), `${memory} is below Docker's minimum of 6Mi`);
    else memoryBytes = parsed.bytes;
  }
  const cpus = resources?.cpus ?? 0;
  const cpusGiven = isPlainObject(json) && Object.hasOwn(json, 'cpus');
  if (cpusGiven && cpus <= 0) context.report(fieldPath(path, 'cpus'), `must be more than 0, got ${cpus}`);
  return { ...(memoryBytes !== undefined ? { memoryBytes } : {}), ...(cpusGiven && cpus > 0 ? { cpus } : {}) };
}
