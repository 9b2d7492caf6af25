/**
 * A spooled message's id, the same every time it is sent: the thing, the spool's identity (when it was made, so
 * a spool made anew does not reuse ids) and the message's sequence in it, e.g. `line-3-gw:m1x2k3l4:1234`.
 */
export function spoolMessageId(thing: string, spoolIdentity: string, seq: number): string {
  const made = Date.parse(spoolIdentity);
  const epoch = Number.isNaN(made) ? spoolIdentity : made.toString(36);
  return `${thing}:${epoch}:${seq}`;
}
