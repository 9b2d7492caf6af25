import type { JsonObject, JsonValue } from '@bufbuild/protobuf';
import { describeValue, isPlainObject } from './json-kind.js';
import { fieldPath, indexPath, type Report } from './violation.js';

/**
 * Checks a `google.protobuf.Struct` value (a component's `config`): any JSON mapping, without what YAML can
 * write but JSON cannot (`.inf`, `.nan`) and without `__proto__`, which a plain object cannot hold as a key.
 */
export function checkJsonObject(input: unknown, path: string, report: Report): JsonObject | undefined {
  if (!isPlainObject(input)) return void report(path, `expected a mapping, got ${describeValue(input)}`);
  return json(input, path, report) as JsonObject;
}

/** Any JSON value (a `google.protobuf.Value`), with the same exclusions. */
export function checkJsonValue(value: unknown, path: string, report: Report): JsonValue | undefined {
  return json(value, path, report);
}

function json(value: unknown, path: string, report: Report): JsonValue | undefined {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number')
    return Number.isFinite(value) ? value : void report(path, `${describeValue(value)} is not a JSON number`);
  if (Array.isArray(value)) return value.map((item, index) => json(item, indexPath(path, index), report) ?? null);
  if (!isPlainObject(value)) return void report(path, `expected a JSON value, got ${describeValue(value)}`);
  const out: JsonObject = {};
  for (const [key, item] of Object.entries(value)) {
    if (key === '__proto__') {
      report(fieldPath(path, key), '"__proto__" cannot be used as a key');
      continue;
    }
    const checked = json(item, fieldPath(path, key), report);
    if (checked !== undefined) out[key] = checked;
  }
  return out;
}
