import { isObject, sameJson, type JsonObject } from './json-value.js';
import type { ShadowDocument } from './shadow-document.js';

/**
 * What `desired` asks that `reported` does not say yet, as AWS IoT computes the delta: every desired key whose
 * value differs from the reported one (objects compared key by key, arrays as a whole), with the metadata of
 * those keys. Undefined when the device is where it is wanted.
 */
export function shadowDelta(document: ShadowDocument): { state: JsonObject; metadata: JsonObject } | undefined {
  const state = differences(document.state.desired ?? {}, document.state.reported ?? {});
  if (!state) return undefined;
  return { state, metadata: metadataOf(state, document.metadata.desired ?? {}) };
}

function differences(desired: JsonObject, reported: JsonObject): JsonObject | undefined {
  const delta: JsonObject = {};
  for (const [key, wanted] of Object.entries(desired)) {
    const has = reported[key];
    if (isObject(wanted) && isObject(has)) {
      const nested = differences(wanted, has);
      if (nested) delta[key] = nested;
    } else if (!sameJson(wanted, has)) {
      delta[key] = wanted;
    }
  }
  return Object.keys(delta).length > 0 ? delta : undefined;
}

function metadataOf(state: JsonObject, metadata: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(state)) {
    const meta = metadata[key];
    if (meta === undefined) continue;
    out[key] = isObject(value) && isObject(meta) && !('timestamp' in meta) ? metadataOf(value, meta) : meta;
  }
  return out;
}
