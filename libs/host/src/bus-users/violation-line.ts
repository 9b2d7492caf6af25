/** What a refused client tried: to publish (also a request with a reply subject it may not use) or to subscribe. */
export type ViolationKind = 'publish' | 'subscribe';

export interface BusViolation {
  user: string;
  kind: ViolationKind;
}

/**
 * The user and kind of a permissions violation in a line of nats-server's log, or undefined for any other line.
 * nats-server 2.9 logs every violation at [ERR], with no debug flag needed, as (one line each):
 *
 *   [12] 2026/11/26 18:41:16.328429 [ERR] 127.0.0.1:47038 - cid:6 - "v3.4.0:nats.js:comp" - Publish Violation - User "comp", Subject "lichen.deploy.apply"
 *   [12] ... - Subscription Violation - User "comp", Subject "lichen.>", SID 1
 *   [12] ... - Subscription Violation - User "comp", Subject "a.b", Queue: "q", SID 2
 *   [12] ... - Publish Violation - User "comp", Reply "_INBOX.x"
 *
 * The client's name (after `cid:`) is the client's to choose, but nats-server escapes the quotes in it, so it
 * cannot pass for the `User "..."` part. Nkey users (`Nkey "U..."`) are not Lichen's and are skipped.
 */
export function parseViolation(line: string): BusViolation | undefined {
  const [, kind, user] =
    /^.*\[ERR\] .* - (Publish|Subscription) Violation - User "((?:[^"\\]|\\.)*)", (?:Subject|Reply) "/.exec(line) ?? [];
  if (kind === undefined || user === undefined) return undefined;
  return { user, kind: kind === 'Publish' ? 'publish' : 'subscribe' };
}
