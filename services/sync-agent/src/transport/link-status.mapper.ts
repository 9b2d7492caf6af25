import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { CloudLinkState, type CloudConnectionEvent } from '@lichen/contracts';
import type { MessageInitShape } from '@bufbuild/protobuf';
import type { CloudConnectionEventSchema } from '@lichen/contracts';
import type { LinkState, LinkStatus } from '../domain/link/cloud-link.js';

const states: Readonly<Record<LinkState, CloudLinkState>> = {
  connecting: CloudLinkState.CONNECTING,
  connected: CloudLinkState.CONNECTED,
  disconnected: CloudLinkState.DISCONNECTED,
  disabled: CloudLinkState.DISABLED,
};

/** The link's status as the `CloudConnectionEvent` the bus carries, the wait before the next attempt as of `now`. */
export function connectionEventOf(
  status: LinkStatus,
  link: { endpoint: string; clientId: string },
  now: number = Date.now(),
): MessageInitShape<typeof CloudConnectionEventSchema> & Partial<CloudConnectionEvent> {
  return {
    state: states[status.state],
    endpoint: link.endpoint,
    clientId: link.clientId,
    lastError: status.lastError ?? '',
    since: timestampFromMs(status.since),
    retryInSeconds: status.retryAt === undefined ? 0 : Math.max(0, status.retryAt - now) / 1_000,
  };
}
