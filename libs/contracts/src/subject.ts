import type { DescMessage } from '@bufbuild/protobuf';

/** A request/reply subject: one request message in, one reply message (or a `ServiceError`) out. */
export interface RequestSubject<Req extends DescMessage = DescMessage, Res extends DescMessage = DescMessage> {
  readonly kind: 'request';
  readonly subject: string;
  readonly request: Req;
  readonly reply: Res;
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

export function requestSubject<Req extends DescMessage, Res extends DescMessage>(
  subject: string,
  request: Req,
  reply: Res,
): RequestSubject<Req, Res> {
  return Object.freeze({ kind: 'request', subject, request, reply });
}

export function eventSubject<Ev extends DescMessage, Tokens extends string[] = []>(
  pattern: string,
  event: Ev,
): EventSubject<Ev, Tokens> {
  const parts = pattern.split('.');
  const wildcards = parts.filter((part) => part === '*').length;
  return Object.freeze({
    kind: 'event',
    pattern,
    event,
    subject(...tokens: Tokens): string {
      if (tokens.length !== wildcards) {
        throw new TypeError(`subject ${pattern} takes ${wildcards} token(s), got ${tokens.length}`);
      }
      for (const token of tokens) {
        if (!isSubjectToken(token)) throw new TypeError(`"${token}" is not a valid subject token for ${pattern}`);
      }
      let next = 0;
      return parts.map((part) => (part === '*' ? tokens[next++] : part)).join('.');
    },
  });
}

/** A subject token is non-empty and holds no separator, wildcard or white space. */
export function isSubjectToken(token: string): boolean {
  return /^[^.*>\s]+$/.test(token);
}
