import { headers as natsHeaders, type MsgHdrs } from '@nats-io/transport-node';

/** Extra headers for a message: a NATS header set, or a plain object of names and values. */
export type HeadersInit = MsgHdrs | Readonly<Record<string, string>>;

/** A fresh header set holding `init`'s headers (a copy: the caller's set is never changed). */
export function toHeaders(init?: HeadersInit): MsgHdrs {
  const result = natsHeaders();
  if (!init) return result;
  if (isMsgHdrs(init)) {
    for (const [name, values] of init) for (const value of values) result.append(name, value);
  } else {
    for (const [name, value] of Object.entries(init)) result.set(name, value);
  }
  return result;
}

/** `init` as a header set, or undefined when there is none (so a hot path sends no header block). */
export function optionalHeaders(init?: HeadersInit): MsgHdrs | undefined {
  return init ? toHeaders(init) : undefined;
}

function isMsgHdrs(init: HeadersInit): init is MsgHdrs {
  return typeof (init as MsgHdrs).append === 'function' && typeof (init as MsgHdrs).keys === 'function';
}
