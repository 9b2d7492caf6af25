import { isObject, sameJson, type JsonObject, type JsonValue } from './json-value.js';

/**
 * A three-way merge of one shadow section: what changed on either side since the last synced document (`base`)
 * is kept; where both changed the same key, `prefer` wins (`local` for `reported`: the device knows what it is;
 * `cloud` for `desired`: the cloud says what it wants). Objects merge key by key; arrays and scalars are values.
 * A key deleted on one side and left alone on the other stays deleted; an object whose keys all went goes too.
 */
export function mergeSection(
  base: JsonObject | undefined,
  local: JsonObject | undefined,
  cloud: JsonObject | undefined,
  prefer: 'local' | 'cloud',
): JsonObject | undefined {
  const merged = mergeValue(base, local, cloud, prefer);
  return isObject(merged as JsonValue) && Object.keys(merged as JsonObject).length > 0 ? (merged as JsonObject) : undefined;
}

function mergeValue(
  base: JsonValue | undefined,
  local: JsonValue | undefined,
  cloud: JsonValue | undefined,
  prefer: 'local' | 'cloud',
): JsonValue | undefined {
  if (isObject(local as JsonValue) && isObject(cloud as JsonValue)) {
    const before = isObject(base as JsonValue) ? (base as JsonObject) : {};
    const out: JsonObject = {};
    const keys = new Set([...Object.keys(before), ...Object.keys(local as JsonObject), ...Object.keys(cloud as JsonObject)]);
    for (const key of keys) {
      const value = mergeValue(before[key], (local as JsonObject)[key], (cloud as JsonObject)[key], prefer);
      if (value !== undefined) out[key] = value;
    }
    // A shadow holds no empty object (an update that empties one removes it): nor does a merge.
    return Object.keys(out).length > 0 ? out : undefined;
  }
  const localChanged = !sameJson(base, local);
  const cloudChanged = !sameJson(base, cloud);
  if (localChanged && cloudChanged) return prefer === 'local' ? local : cloud;
  return localChanged ? local : cloud;
}
