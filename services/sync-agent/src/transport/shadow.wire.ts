import { fromJson, toJson, type JsonObject as WireJsonObject, type MessageInitShape } from '@bufbuild/protobuf';
import { ValueSchema, type Value } from '@bufbuild/protobuf/wkt';
import type {
  ShadowDeltaSchema,
  ShadowDocumentSchema,
  ShadowDocumentsSchema,
  ShadowRequest,
  ShadowState,
  ShadowUpdateRequest,
} from '@lichen/contracts';
import type { JsonObject } from '../domain/shadow/json-value.js';
import type { ShadowChange } from '../domain/shadow/shadow-change.js';
import { shadowDelta } from '../domain/shadow/shadow-delta.js';
import type { ShadowDocument } from '../domain/shadow/shadow-document.js';
import { ShadowRejectedError } from './shadow-rejected.error.js';

/**
 * Shadows between the bus's messages and the JSON AWS IoT speaks: a request becomes the body `LocalShadows`
 * checks as AWS IoT would (sections as plain JSON, `null` kept: it deletes), a document becomes the reply.
 * In proto3 JSON each message is the very payload of AWS IoT's shadow topics.
 */

/** An update request as AWS IoT's JSON body; a `delta` section is passed on, so it is refused as AWS IoT refuses it. */
export function updateBody(request: ShadowUpdateRequest): Record<string, unknown> {
  return {
    ...(request.state ? { state: sectionsOf(request.state) } : {}),
    ...(request.clientToken ? { clientToken: request.clientToken } : {}),
    ...(request.version !== undefined ? { version: request.version } : {}),
  };
}

/** A get or delete request as AWS IoT's JSON body. */
export function requestBody(request: ShadowRequest): Record<string, unknown> {
  return {
    ...(request.clientToken ? { clientToken: request.clientToken } : {}),
    ...(request.version !== undefined ? { version: request.version } : {}),
  };
}

/** A document as `.get` and `.update` answer it: with the delta, and the request's clientToken. */
export function documentReply(document: ShadowDocument, clientToken: string): MessageInitShape<typeof ShadowDocumentSchema> {
  return { ...documentToWire(document, shadowDelta(document)?.state), clientToken };
}

/** The `.delta` event of a change, when it has one: AWS IoT sends it after an update that wrote `desired`. */
export function deltaEvent(change: ShadowChange): MessageInitShape<typeof ShadowDeltaSchema> | undefined {
  if (!change.current || change.update?.state.desired === undefined) return undefined;
  const delta = shadowDelta(change.current);
  if (!delta) return undefined;
  return {
    state: delta.state as WireJsonObject,
    metadata: delta.metadata as WireJsonObject,
    version: change.current.version,
    timestamp: change.timestamp,
    clientToken: change.clientToken ?? '',
  };
}

/** The `.documents` event of a change: the shadow before and after (either absent when made or deleted). */
export function documentsEvent(change: ShadowChange): MessageInitShape<typeof ShadowDocumentsSchema> {
  return {
    ...(change.previous ? { previous: documentToWire(change.previous) } : {}),
    ...(change.current ? { current: documentToWire(change.current) } : {}),
    timestamp: change.timestamp,
    clientToken: change.clientToken ?? '',
  };
}

function documentToWire(document: ShadowDocument, delta?: JsonObject): MessageInitShape<typeof ShadowDocumentSchema> {
  const { state, metadata } = document;
  return {
    state: {
      ...(state.desired ? { desired: valueOf(state.desired) } : {}),
      ...(state.reported ? { reported: valueOf(state.reported) } : {}),
      ...(delta ? { delta: valueOf(delta) } : {}),
    },
    metadata: {
      ...(metadata.desired ? { desired: metadata.desired } : {}),
      ...(metadata.reported ? { reported: metadata.reported } : {}),
    } as WireJsonObject,
    version: document.version,
    timestamp: document.timestamp,
  };
}

function sectionsOf(state: ShadowState): Record<string, unknown> {
  const sections: Record<string, unknown> = {};
  for (const name of ['desired', 'reported', 'delta'] as const) {
    const value = state[name];
    if (!value) continue;
    try {
      sections[name] = toJson(ValueSchema, value);
    } catch (error) {
      // Only a protobuf body can get here: a Value with no kind, or a number JSON cannot hold (NaN, Infinity).
      const reason = error instanceof Error ? error.message : String(error);
      throw new ShadowRejectedError({ code: 400, message: `state.${name} is not a JSON value: ${reason}` });
    }
  }
  return sections;
}

function valueOf(json: JsonObject): Value {
  return fromJson(ValueSchema, json as WireJsonObject);
}
