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
import { headers as natsHeaders, type MsgHdrs } from '@nats-io/transport-node';
import { ErrorCode, ServiceErrorSchema } from '@lichen/contracts';
import { BusError } from './bus-error.js';
import { contentTypeOf, JSON_CONTENT, PROTOBUF, type ContentType } from './content-type.js';

const textDecoder = new TextDecoder();
const textEncoder = new TextEncoder();

/** A message as it goes on the wire: its body and the headers that say how to read it. */
export interface WireMessage {
  data: Uint8Array;
  headers: MsgHdrs;
}

export function encodeMessage<Desc extends DescMessage>(
  schema: Desc,
  message: MessageInitShape<Desc>,
  contentType: ContentType = PROTOBUF,
): WireMessage {
  const full = create(schema, message);
  const headers = natsHeaders();
  headers.set('Content-Type', contentType);
  const data = contentType === JSON_CONTENT ? textEncoder.encode(toJsonString(schema, full)) : toBinary(schema, full);
  return { data, headers };
}

/** Reads a body by its `Content-Type`; a body that does not decode is a `BusError` saying what and why. */
export function decodeMessage<Desc extends DescMessage>(schema: Desc, data: Uint8Array, headers?: MsgHdrs): MessageShape<Desc> {
  const contentType = contentTypeOf(headers);
  if (!contentType) {
    throw new BusError(
      ErrorCode.UNSUPPORTED_MEDIA_TYPE,
      `unsupported Content-Type "${headers?.get('Content-Type')}": send ${PROTOBUF} or ${JSON_CONTENT}`,
    );
  }
  try {
    return contentType === JSON_CONTENT
      ? fromJsonString(schema, data.length ? textDecoder.decode(data) : '{}')
      : fromBinary(schema, data);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw BusError.invalid(`cannot decode ${schema.typeName} from ${contentType}: ${reason}`, [{ path: '$', reason }]);
  }
}

/** An error reply: headers `Nats-Service-Error` / `Nats-Service-Error-Code` and a `ServiceError` body. */
export function encodeError(error: BusError, contentType: ContentType = PROTOBUF): WireMessage {
  const wire = encodeMessage(
    ServiceErrorSchema,
    { code: error.code, message: error.message, violations: [...error.violations] },
    contentType,
  );
  wire.headers.set('Nats-Service-Error', error.message.replace(/[\r\n]+/g, ' '));
  wire.headers.set('Nats-Service-Error-Code', String(error.status));
  return wire;
}

/** The `BusError` a reply carries, or undefined when the reply is not an error. */
export function decodeError(data: Uint8Array, headers: MsgHdrs | undefined): BusError | undefined {
  const status = headers?.get('Nats-Service-Error-Code');
  if (!status) return undefined;
  const message = headers?.get('Nats-Service-Error') || 'request failed';
  try {
    const body = decodeMessage(ServiceErrorSchema, data, headers);
    return BusError.fromStatus(Number(status), body.message || message, body.violations);
  } catch (cause) {
    return BusError.fromStatus(Number(status), message, [], cause);
  }
}
