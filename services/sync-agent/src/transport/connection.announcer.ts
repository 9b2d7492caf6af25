import type { Bus } from '@lichen/bus';
import { subjects } from '@lichen/contracts';
import type { Logger } from '@lichen/logging';
import type { CloudLink, LinkStatus } from '../domain/link/cloud-link.js';
import { connectionEventOf } from './link-status.mapper.js';

/**
 * Says every change of the cloud link on `lichen.evt.cloud.connection` and in the log: connected, the reason a
 * connection failed (a refused certificate, say) and when the next attempt comes.
 */
export function announceConnection(
  bus: Bus,
  link: CloudLink,
  identity: { endpoint: string; clientId: string },
  logger: Logger,
): () => void {
  let lastLogged: string | undefined;
  return link.onStatus((status: LinkStatus) => {
    if (bus.connected) bus.publish(subjects.cloud.connection, [], connectionEventOf(status, identity));
    const fields = { endpoint: identity.endpoint, clientId: identity.clientId };
    if (status.state === 'connected') {
      lastLogged = undefined;
      logger.info(fields, 'cloud link connected');
    } else if (status.state === 'disconnected') {
      // The same failure again at every retry is logged once, until something changes.
      const line = status.lastError ?? 'disconnected';
      if (line !== lastLogged)
        logger.warn(
          { ...fields, reason: line, retryInMs: status.retryAt === undefined ? undefined : status.retryAt - Date.now() },
          'cloud link down',
        );
      lastLogged = line;
    }
  });
}
