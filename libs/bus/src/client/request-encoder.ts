import type { DescMessage, MessageInitShape } from '@bufbuild/protobuf';
import type { RequestSubject } from '@lichen/contracts';
import type { RequestOptions } from '../bus.types.js';
import { encodeMessage, type WireMessage } from '../wire/message-codec.js';

/** A request ready to send: the concrete subject (the contract's pattern filled with `tokens`) and the wire message. */
export function encodeRequest<Req extends DescMessage, Tokens extends string[]>(
  contract: RequestSubject<Req, DescMessage, Tokens>,
  message: MessageInitShape<Req>,
  options: Omit<RequestOptions, 'timeoutMs'> & { tokens?: string[] },
): WireMessage & { subject: string } {
  const subject = contract.subject(...((options.tokens ?? []) as Tokens));
  return { subject, ...encodeMessage(contract.request, message, options.contentType, options.headers) };
}
