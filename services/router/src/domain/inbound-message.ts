/** NATS headers as the router reads them (the client's `MsgHdrs` has this shape). */
export interface HeaderView {
  get(name: string): string;
  keys(): string[];
}

/** A message as it reached the router: opaque bytes, read only when a route's condition asks. */
export interface InboundMessage {
  readonly subject: string;
  readonly data: Uint8Array;
  readonly headers?: HeaderView;
}

/** The header that counts how many routes a message has passed through, so routes in a cycle stop. */
export const HOPS_HEADER = 'Lichen-Hops';

/** The headers as a map of their first values (a name given twice keeps its first). */
export function headerRecord(headers: HeaderView | undefined): Record<string, string> {
  const record: Record<string, string> = {};
  for (const key of headers?.keys() ?? []) record[key] = headers?.get(key) ?? '';
  return record;
}
