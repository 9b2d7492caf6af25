import type { DescMessage } from '@bufbuild/protobuf';
import { fillPattern, wildcardCount } from './subject-pattern.js';

/**
 * A request/reply subject: one request message in, one reply message (or a `ServiceError`) out; a handler may
 * also stream several replies. `pattern` is what a server listens on (it may hold `*` wildcards, such as the
 * device in `lichen.health.*.get`); `subject(...)` builds the concrete subject a caller sends to. With `fanOut`,
 * every instance answers (no queue group) and callers gather the replies; otherwise replicas share the work.
 */
export interface RequestSubject<
  Req extends DescMessage = DescMessage,
  Res extends DescMessage = DescMessage,
  Tokens extends string[] = string[],
> {
  readonly kind: 'request';
  readonly pattern: string;
  readonly request: Req;
  readonly reply: Res;
  readonly fanOut: boolean;
  subject(...tokens: Tokens): string;
}

/**
 * An event subject. `pattern` is what a subscriber listens on (it may hold `*` wildcards); `subject(...)`
 * builds the concrete subject a publisher sends to, from the tokens that fill those wildcards in order.
 */
export interface EventSubject<Ev extends DescMessage = DescMessage, Tokens extends string[] = string[]> {
  readonly kind: 'event';
  readonly pattern: string;
  readonly event: Ev;
  subject(...tokens: Tokens): string;
}

export function requestSubject<Req extends DescMessage, Res extends DescMessage, Tokens extends string[] = []>(
  pattern: string,
  request: Req,
  reply: Res,
  options: { fanOut?: boolean } = {},
): RequestSubject<Req, Res, Tokens> {
  wildcardCount(pattern);
  return Object.freeze({
    kind: 'request',
    pattern,
    request,
    reply,
    fanOut: options.fanOut ?? false,
    subject: (...tokens: Tokens) => fillPattern(pattern, tokens),
  });
}

export function eventSubject<Ev extends DescMessage, Tokens extends string[] = []>(
  pattern: string,
  event: Ev,
): EventSubject<Ev, Tokens> {
  wildcardCount(pattern);
  return Object.freeze({
    kind: 'event',
    pattern,
    event,
    subject: (...tokens: Tokens) => fillPattern(pattern, tokens),
  });
}
