import { CLASSIC_SHADOW, type ShadowAddress } from '../shadow/shadow-address.js';

export type ShadowOperation = 'get' | 'update' | 'delete';

/**
 * AWS IoT's shadow topics: `$aws/things/{thing}/shadow/name/{shadow}/{operation}` for a named shadow,
 * `$aws/things/{thing}/shadow/{operation}` for the classic one; replies and events one level below.
 */
export function shadowTopic({ thing, shadow }: ShadowAddress, operation: ShadowOperation): string {
  const base = `$aws/things/${thing}/shadow`;
  return shadow === CLASSIC_SHADOW ? `${base}/${operation}` : `${base}/name/${shadow}/${operation}`;
}

/** The filters that bring every reply and event of a thing's shadows, named and classic. */
export function shadowReplyFilters(thing: string): string[] {
  const base = `$aws/things/${thing}/shadow`;
  return (['get', 'update', 'delete'] as const).flatMap((operation) => [
    `${base}/${operation}/+`,
    `${base}/name/+/${operation}/+`,
  ]);
}

/** A reply or event topic read back: whose shadow, which operation, and `accepted`, `rejected`, `delta` or `documents`. */
export function readShadowTopic(topic: string): { address: ShadowAddress; operation: ShadowOperation; kind: string } | undefined {
  const named = /^\$aws\/things\/([^/]+)\/shadow\/name\/([^/]+)\/(get|update|delete)\/([^/]+)$/.exec(topic);
  if (named) return { address: { thing: named[1]!, shadow: named[2]! }, operation: named[3] as ShadowOperation, kind: named[4]! };
  const classic = /^\$aws\/things\/([^/]+)\/shadow\/(get|update|delete)\/([^/]+)$/.exec(topic);
  if (classic) {
    return {
      address: { thing: classic[1]!, shadow: CLASSIC_SHADOW },
      operation: classic[2] as ShadowOperation,
      kind: classic[3]!,
    };
  }
  return undefined;
}
