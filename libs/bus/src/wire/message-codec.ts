import {
  create,
  fromBinary,
  fromJsonString,
  toBinary,
  toJsonString,
  type DescMessage,
  type MessageInitShape,
  type MessageShape,
} from '@bufbuild/protobuf';
import type { MsgHdrs } from '@nats-io/transport-node';
import { ServiceErrorSchema, type ErrorCode } from '@lichen/contracts';
import type { LichenError } from '@lichen/errors';
import { BusError } from './bus-error.js';
import { contentTypeOf, JSON_CONTENT, PROTOBUF, type ContentType } from './content-type.js';
import { errorKindOf, wireErrorCode } from './error-kinds.js';
import { toHeaders, type HeadersInit } from './headers.js';

const textDecoder = new TextDecoder();
const textEncoder = new TextEncoder();

/** A message as it goes on the wire: its body and the headers that say how to read it. */
export interface WireMessage {
  data: Uint8Array;
  headers: MsgHdrs;
}

/** Encodes a message; `extra` headers go along, but the `Content-Type` is always the one of the body. */
export function encodeMessage<Desc extends DescMessage>(
  schema: Desc,
  message: MessageInitShape<Desc>,
  contentType: ContentType = PROTOBUF,
  extra?: HeadersInit,
): WireMessage {
  const headers = toHeaders(extra);
  headers.set('Content-Type', contentType);
  return { data: encodeBody(schema, message, contentType), headers };
}

/** The body alone, for a caller that sets the headers itself (a reply, on headers the handler filled). */
export function encodeBody<Desc extends DescMessage>(
  schema: Desc,
  message: MessageInitShape<Desc>,
  contentType: ContentType = PROTOBUF,
): Uint8Array {
  const full = create(schema, message);
  return contentType === JSON_CONTENT ? textEncoder.encode(toJsonString(schema, full)) : toBinary(schema, full);
}

/**
 * Reads a body by its `Content-Type`; a body that does not decode is a `BusError` saying what and why. Fields
 * this side does not know are skipped, in JSON as in protobuf, so a newer sender can add fields.
 */
export function decodeMessage<Desc extends DescMessage>(schema: Desc, data: Uint8Array, headers?: MsgHdrs): MessageShape<Desc> {
  const contentType = contentTypeOf(headers);
  if (!contentType) {
    throw new BusError(
      'BUS_UNSUPPORTED_MEDIA_TYPE',
      'unsupported-media-type',
      `unsupported Content-Type "${headers?.get('Content-Type')}": send ${PROTOBUF} or ${JSON_CONTENT}`,
    );
  }
  try {
    return contentType === JSON_CONTENT
      ? fromJsonString(schema, data.length ? textDecoder.decode(data) : '{}', { ignoreUnknownFields: true })
      : fromBinary(schema, data);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new BusError('BUS_UNDECODABLE', 'invalid-argument', `cannot decode ${schema.typeName} from ${contentType}: ${reason}`, {
      violations: [{ path: '$', reason }],
      cause: error,
    });
  }
}

/** An error reply: headers `Nats-Service-Error` / `Nats-Service-Error-Code` and a `ServiceError` body. */
export function encodeError(error: LichenError, contentType: ContentType = PROTOBUF, extra?: HeadersInit): WireMessage {
  const { status, code } = wireErrorCode(error.kind);
  const wire = encodeMessage(
    ServiceErrorSchema,
    { code, message: error.message, violations: error.violations.map(({ path, reason }) => ({ path, reason })) },
    contentType,
    extra,
  );
  wire.headers.set('Nats-Service-Error', error.message.replace(/[\r\n]+/g, ' '));
  wire.headers.set('Nats-Service-Error-Code', String(status));
  return wire;
}

/** The `BusError` a reply carries, or undefined when the reply is not an error. */
export function decodeError(data: Uint8Array, headers: MsgHdrs | undefined): BusError | undefined {
  const status = headers?.get('Nats-Service-Error-Code');
  if (!status) return undefined;
  const message = headers?.get('Nats-Service-Error') || 'request failed';
  try {
    const body = decodeMessage(ServiceErrorSchema, data, headers);
    return errorReply(Number(status), body.message || message, body.code, body.violations);
  } catch (cause) {
    return errorReply(Number(status), message, undefined, [], cause);
  }
}

function errorReply(
  status: number,
  message: string,
  code: ErrorCode | undefined,
  violations: readonly { path: string; reason: string }[],
  cause?: unknown,
): BusError {
  const kind = errorKindOf(status, code);
  return new BusError('BUS_ERROR_REPLY', kind, message, {
    violations: violations.map(({ path, reason }) => ({ path, reason })),
    cause,
  });
}
