/**
 * Ids of spooled messages, the same every time a message is sent: the thing, the spool's identity (when it was made,
 * so a spool made anew does not reuse ids) and the message's sequence in it, e.g. `line-3-gw:m1x2k3l4:1234`.
 */
export function spoolMessageIds(thing: string): (spoolIdentity: string, seq: number) => string {
  let identity: string | undefined;
  let prefix = '';
  return (spoolIdentity, seq) => {
    if (spoolIdentity !== identity) {
      identity = spoolIdentity;
      const made = Date.parse(spoolIdentity);
      prefix = `${thing}:${Number.isNaN(made) ? spoolIdentity : made.toString(36)}:`;
    }
    return prefix + seq;
  };
}
