import { isObject, type JsonObject, type JsonValue } from '../src/domain/shadow/json-value.js';
import { shadowDelta } from '../src/domain/shadow/shadow-delta.js';
import type { ShadowDocument } from '../src/domain/shadow/shadow-document.js';
import { nameProblem } from '../src/domain/shadow/shadow-limits.js';
import type { ShadowRejection } from '../src/domain/shadow/shadow-rejection.js';
import { applyShadowUpdate } from '../src/domain/shadow/shadow-update.js';

/** A message the cloud publishes: where, and its JSON body. */
export interface CloudReply {
  readonly topic: string;
  readonly body: JsonObject;
}

export type ShadowOperation = 'get' | 'update' | 'delete';

/** `$aws/things/{thing}/shadow` for the classic shadow, `.../shadow/name/{shadow}` for a named one. */
export function shadowTopicPrefix(thing: string, shadow?: string): string {
  return shadow === undefined ? `$aws/things/${thing}/shadow` : `$aws/things/${thing}/shadow/name/${shadow}`;
}

/** A shadow change, as the device sees it on MQTT, or why it was refused. */
export type ShadowOutcome<T> = { ok: true; value: T; replies: CloudReply[] } | { ok: false; rejection: ShadowRejection };

/**
 * AWS IoT's Device Shadow service, in memory: documents per (thing, shadow) changed with the sync agent's own
 * domain (so both sides agree on merge, versions and limits), and the documents AWS publishes for each request
 * (developer guide, "Device Shadow MQTT topics" and "Shadow document syntax"). All timestamps are in seconds.
 */
export class ShadowService {
  private readonly documents = new Map<string, ShadowDocument>();
  /** AWS carries a deleted shadow's version over to the next one made with the same name. */
  private readonly deletedVersions = new Map<string, number>();

  document(thing: string, shadow?: string): ShadowDocument | undefined {
    return this.documents.get(keyOf(thing, shadow));
  }

  /** A device's request on `{prefix}/get|update|delete`: what AWS IoT publishes in reply. */
  request(thing: string, shadow: string | undefined, operation: ShadowOperation, payload: Uint8Array): CloudReply[] {
    const prefix = `${shadowTopicPrefix(thing, shadow)}/${operation}`;
    const parsed = parseJson(payload);
    const clientToken = tokenOf(parsed.value);
    const refuse = (rejection: ShadowRejection): CloudReply[] => [
      { topic: `${prefix}/rejected`, body: withToken({ ...rejection, timestamp: nowSeconds() }, clientToken) },
    ];
    const badName = nameProblem('thing', thing) ?? (shadow === undefined ? undefined : nameProblem('shadow', shadow));
    if (badName) return refuse({ code: 400, message: badName });
    if (operation === 'update') {
      if (!parsed.ok) return refuse({ code: 400, message: 'Invalid JSON' });
      const outcome = this.update(thing, shadow, parsed.value);
      return outcome.ok ? outcome.replies : refuse(outcome.rejection);
    }
    if (operation === 'delete') {
      const outcome = this.delete(thing, shadow, clientToken);
      return outcome.ok ? outcome.replies : refuse(outcome.rejection);
    }
    const document = this.document(thing, shadow);
    if (!document) return refuse(notFound(thing, shadow));
    return [{ topic: `${prefix}/accepted`, body: withToken(fullDocument(document), clientToken) }];
  }

  /**
   * Applies an update (a device's MQTT request, or a cloud app's UpdateThingShadow call): AWS then publishes
   * `/update/accepted` with the update's own state, `/update/delta` when desired and reported differ, and
   * `/update/documents` with the shadow before and after, whichever way the update came.
   */
  update(thing: string, shadow: string | undefined, body: unknown): ShadowOutcome<ShadowDocument> {
    const key = keyOf(thing, shadow);
    const current = this.documents.get(key);
    const now = nowSeconds();
    const deletedVersion = this.deletedVersions.get(key);
    const base = current ?? (deletedVersion === undefined ? undefined : emptyShadow(deletedVersion, now));
    const result = applyShadowUpdate(base, body, now);
    if (!result.ok) return result;
    const { document, update } = result.value;
    this.documents.set(key, document);
    this.deletedVersions.delete(key);
    const prefix = `${shadowTopicPrefix(thing, shadow)}/update`;
    const stamp = { version: document.version, timestamp: now };
    const replies: CloudReply[] = [
      {
        topic: `${prefix}/accepted`,
        body: withToken(
          { state: update.state as JsonObject, metadata: metadataOf(update.state as JsonObject, now), ...stamp },
          update.clientToken,
        ),
      },
    ];
    const delta = shadowDelta(document);
    if (delta) replies.push({ topic: `${prefix}/delta`, body: withToken({ ...delta, ...stamp }, update.clientToken) });
    replies.push({
      topic: `${prefix}/documents`,
      body: withToken(
        { ...(current ? { previous: stateAndMetadata(current) } : {}), current: stateAndMetadata(document), timestamp: now },
        update.clientToken,
      ),
    });
    return { ok: true, value: document, replies };
  }

  /** Deletes a shadow (a device's request or DeleteThingShadow): AWS publishes `/delete/accepted` either way. */
  delete(thing: string, shadow: string | undefined, clientToken?: string): ShadowOutcome<{ version: number }> {
    const key = keyOf(thing, shadow);
    const document = this.documents.get(key);
    if (!document) return { ok: false, rejection: notFound(thing, shadow) };
    this.documents.delete(key);
    this.deletedVersions.set(key, document.version);
    const body = withToken({ version: document.version, timestamp: nowSeconds() }, clientToken);
    return {
      ok: true,
      value: { version: document.version },
      replies: [{ topic: `${shadowTopicPrefix(thing, shadow)}/delete/accepted`, body }],
    };
  }
}

function keyOf(thing: string, shadow: string | undefined): string {
  return `${thing}/${shadow ?? ''}`;
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** AWS names the thing for the classic shadow and the shadow for a named one. */
function notFound(thing: string, shadow: string | undefined): ShadowRejection {
  return { code: 404, message: `No shadow exists with name: '${shadow ?? thing}'` };
}

/** A shadow that was deleted: nothing in it, its old version to count on from. */
function emptyShadow(version: number, now: number): ShadowDocument {
  return { state: {}, metadata: {}, version, timestamp: now };
}

/** The `/get/accepted` document: both sections, the delta, their metadata. */
function fullDocument(document: ShadowDocument): JsonObject {
  const delta = shadowDelta(document);
  return {
    state: { ...document.state, ...(delta ? { delta: delta.state } : {}) },
    metadata: { ...document.metadata },
    version: document.version,
    timestamp: nowSeconds(),
  };
}

function stateAndMetadata(document: ShadowDocument): JsonObject {
  return { state: { ...document.state }, metadata: { ...document.metadata }, version: document.version };
}

/** Metadata mirroring an update's state: every leaf it sets or deletes (null) gets the update's timestamp. */
function metadataOf(state: JsonObject, now: number): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(state)) out[key] = isObject(value) ? metadataOf(value, now) : { timestamp: now };
  return out;
}

function withToken(body: JsonObject, clientToken: string | undefined): JsonObject {
  return clientToken === undefined ? body : { ...body, clientToken };
}

/** Get and delete requests may be empty (AWS ignores their content but for a clientToken). */
function parseJson(payload: Uint8Array): { ok: true; value: JsonValue | undefined } | { ok: false; value: undefined } {
  const text = Buffer.from(payload).toString('utf8');
  if (text.trim() === '') return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) as JsonValue };
  } catch {
    return { ok: false, value: undefined };
  }
}

function tokenOf(body: JsonValue | undefined): string | undefined {
  const token = isObject(body ?? null) ? (body as JsonObject).clientToken : undefined;
  return typeof token === 'string' ? token : undefined;
}
