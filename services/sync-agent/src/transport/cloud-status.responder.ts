import type { Bus, Unsubscribe } from '@lichen/bus';
import { subjects } from '@lichen/contracts';
import type { ForwardCounts } from '../domain/forward/spool-forwarder.js';
import type { SpoolBacklog } from '../domain/forward/spool-backlog.js';
import type { CloudLink } from '../domain/link/cloud-link.js';
import { connectionEventOf } from './link-status.mapper.js';

export interface CloudStatusSources {
  readonly link: CloudLink;
  readonly identity: { endpoint: string; clientId: string };
  readonly protocolVersion: number;
  readonly subscriptions: readonly string[];
  readonly forwarded: ForwardCounts;
  readonly backlog: () => Promise<SpoolBacklog>;
}

/** `lichen.cloud.status`: the link, the spool and the counts, for `lichen cloud`. */
export function serveCloudStatus(bus: Bus, sources: CloudStatusSources): Unsubscribe {
  return bus.serve(subjects.cloud.status, async () => {
    // The spool may be out of reach (NATS restarting): the link's state is still worth an answer.
    const backlog = await sources.backlog().catch(() => undefined);
    const { forwarded, dropped, refused, duplicateSuspects } = sources.forwarded;
    return {
      link: connectionEventOf(sources.link.status, sources.identity),
      spool: {
        depth: backlog && BigInt(backlog.depth),
        bytes: backlog && BigInt(backlog.bytes),
        oldestAgeSeconds: (backlog?.oldestAgeMs ?? 0) / 1_000,
        forwarded: BigInt(forwarded),
        dropped: BigInt(dropped),
        refused: BigInt(refused),
        duplicateSuspects: BigInt(duplicateSuspects),
      },
      protocolVersion: sources.protocolVersion,
      subscriptions: [...sources.subscriptions],
    };
  });
}
