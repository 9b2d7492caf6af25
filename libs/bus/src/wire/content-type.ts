import type { MsgHdrs } from '@nats-io/transport-node';

export const PROTOBUF = 'application/protobuf';
export const JSON_CONTENT = 'application/json';
export type ContentType = typeof PROTOBUF | typeof JSON_CONTENT;

/** The body's content type from the `Content-Type` header: protobuf when absent, undefined when not one we speak. */
export function contentTypeOf(headers: MsgHdrs | undefined): ContentType | undefined {
  const given = headers?.get('Content-Type');
  if (!given || given === PROTOBUF) return PROTOBUF;
  if (given === JSON_CONTENT) return JSON_CONTENT;
  const declared = given.split(';')[0]?.trim().toLowerCase();
  if (!declared) return PROTOBUF;
  if (declared === PROTOBUF || declared === 'application/x-protobuf') return PROTOBUF;
  if (declared === JSON_CONTENT) return JSON_CONTENT;
  return undefined;
}
