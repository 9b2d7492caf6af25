import { isObject, sameJson, type JsonObject, type JsonValue } from '../shadow/json-value.js';

/**
 * The shadow update that turns section `from` into `to` under AWS IoT's merge rules: changed keys with their new
 * value (objects patched key by key), removed keys as `null`, a removed section as `null`. Undefined when
 * nothing changes.
 */
export function sectionPatch(from: JsonObject | undefined, to: JsonObject | undefined): JsonObject | null | undefined {
  if (sameJson(from, to)) return undefined;
  if (to === undefined) return null;
  return objectPatch(from ?? {}, to);
}

function objectPatch(from: JsonObject, to: JsonObject): JsonObject {
  const patch: JsonObject = {};
  for (const key of Object.keys(from)) if (!(key in to)) patch[key] = null;
  for (const [key, value] of Object.entries(to)) {
    const before: JsonValue | undefined = from[key];
    if (sameJson(before, value)) continue;
    // An object over an object is merged, so only what differs goes (an emptied one as its keys set to null);
    // anything else replaces the value.
    patch[key] = isObject(before) && isObject(value) ? objectPatch(before, value) : value;
  }
  return patch;
}

/** The `state` of an update turning one shadow's sections into others; undefined when they are the same. */
export function statePatch(
  from: { desired?: JsonObject; reported?: JsonObject },
  to: { desired?: JsonObject; reported?: JsonObject },
): { desired?: JsonObject | null; reported?: JsonObject | null } | undefined {
  const desired = sectionPatch(from.desired, to.desired);
  const reported = sectionPatch(from.reported, to.reported);
  if (desired === undefined && reported === undefined) return undefined;
  return { ...(desired !== undefined && { desired }), ...(reported !== undefined && { reported }) };
}
