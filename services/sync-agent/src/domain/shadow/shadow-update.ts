import { isObject, type JsonObject, type JsonValue } from './json-value.js';
import { shadowSections, type ShadowDocument, type ShadowSection, type ShadowUpdate } from './shadow-document.js';
import { depthOf, SHADOW_LIMITS, stateBytes } from './shadow-limits.js';
import { readTokenAndVersion } from './shadow-request.js';
import { rejected, type ShadowResult } from './shadow-rejection.js';

/**
 * Applies an update to a shadow (none yet: it is made) with AWS IoT's semantics: each section is merged key by
 * key into the one there (objects deeply, arrays and scalars replaced), `null` deletes a key (or, for a whole
 * section, the section), every changed leaf gets the update's timestamp in `metadata`, and the version goes up
 * by one. Refused: a body that is not an update (400), a `version` that is not the current one (409), a
 * state over AWS's size (413) or depth (400).
 */
export function applyShadowUpdate(
  current: ShadowDocument | undefined,
  body: unknown,
  nowSeconds: number,
): ShadowResult<{ document: ShadowDocument; update: ShadowUpdate }> {
  const update = readUpdate(body);
  if (!update.ok) return update;
  const { state, version } = update.value;
  if (version !== undefined && version !== (current?.version ?? 0)) {
    return rejected(409, 'Version conflict');
  }
  const next = {
    state: { ...current?.state } as { desired?: JsonObject; reported?: JsonObject },
    metadata: { ...current?.metadata } as { desired?: JsonObject; reported?: JsonObject },
  };
  for (const section of shadowSections) {
    const change = state[section];
    if (change === undefined) continue;
    if (change === null) {
      delete next.state[section];
      delete next.metadata[section];
      continue;
    }
    const merged = mergeInto(next.state[section] ?? {}, next.metadata[section] ?? {}, change, nowSeconds);
    setSection(next, section, merged.state, merged.metadata);
  }
  for (const section of shadowSections) {
    const value = next.state[section];
    if (value && depthOf(value) > SHADOW_LIMITS.depth) {
      return rejected(
        400,
        `state.${section} nests ${depthOf(value)} levels of objects; at most ${SHADOW_LIMITS.depth} are allowed`,
      );
    }
  }
  if (stateBytes(next.state) > SHADOW_LIMITS.stateBytes) {
    return rejected(
      413,
      `The payload exceeds the maximum size allowed: desired and reported together are over ${SHADOW_LIMITS.stateBytes} bytes`,
    );
  }
  const document: ShadowDocument = { ...next, version: (current?.version ?? 0) + 1, timestamp: nowSeconds };
  return { ok: true, value: { document, update: update.value } };
}

function setSection(
  target: { state: Record<string, JsonObject | undefined>; metadata: Record<string, JsonObject | undefined> },
  section: ShadowSection,
  state: JsonObject,
  metadata: JsonObject,
): void {
  if (Object.keys(state).length === 0) {
    delete target.state[section];
    delete target.metadata[section];
  } else {
    target.state[section] = state;
    target.metadata[section] = metadata;
  }
}

/** Merges `change` into a section and its metadata; keys set to null go, objects emptied by that go too. */
function mergeInto(
  state: JsonObject,
  metadata: JsonObject,
  change: JsonObject,
  now: number,
): { state: JsonObject; metadata: JsonObject } {
  const outState: JsonObject = { ...state };
  const outMeta: JsonObject = { ...metadata };
  for (const [key, value] of Object.entries(change)) {
    if (value === null) {
      delete outState[key];
      delete outMeta[key];
    } else if (isObject(value)) {
      const had = outState[key];
      const hadMeta = outMeta[key];
      const merged = mergeInto(isObject(had) ? had : {}, isObject(had) && isObject(hadMeta) ? hadMeta : {}, value, now);
      if (Object.keys(merged.state).length === 0) {
        delete outState[key];
        delete outMeta[key];
      } else {
        outState[key] = merged.state;
        outMeta[key] = merged.metadata;
      }
    } else {
      outState[key] = value;
      outMeta[key] = { timestamp: now };
    }
  }
  return { state: outState, metadata: outMeta };
}

/** The body as an update, or why it is not one, as AWS IoT says it. */
function readUpdate(body: unknown): ShadowResult<ShadowUpdate> {
  if (!isObject(body as JsonValue)) return rejected(400, 'Invalid JSON: an update is an object with a state');
  const { state, clientToken, version, ...rest } = body as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) return rejected(400, `Unexpected field ${unknown[0]}: an update has state, clientToken and version`);
  if (state === undefined) return rejected(400, 'Missing required node: state');
  if (!isObject(state as JsonValue)) return rejected(400, 'state must be an object with desired and/or reported');
  const sections = state as Record<string, unknown>;
  const other = Object.keys(sections).find((key) => !shadowSections.includes(key as ShadowSection));
  if (other !== undefined) return rejected(400, `State contains an invalid node: ${other}`);
  for (const section of shadowSections) {
    const value = sections[section];
    if (value !== undefined && value !== null && !isObject(value as JsonValue)) {
      return rejected(400, `state.${section} must be an object or null`);
    }
  }
  const tokenAndVersion = readTokenAndVersion(clientToken, version);
  if (!tokenAndVersion.ok) return tokenAndVersion;
  return { ok: true, value: { state: sections as ShadowUpdate['state'], ...tokenAndVersion.value } };
}
