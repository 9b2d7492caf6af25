import type { Bus } from '@lichen/bus';
import { cloudInSubject } from '@lichen/contracts';
import type { Logger } from '@lichen/logging';
import type { CloudLink } from '../domain/link/cloud-link.js';

/** Counts of cloud-to-device messages, for `/metrics`. */
export interface InboundCounts {
  /** Published on the bus as `cloud.in.<topic>`. */
  published: number;
  /** On a topic no bus subject can carry (an empty level, a `.`). */
  unroutable: number;
}

/**
 * The configured cloud topic filters, mirrored onto the bus: a message on `a/b/c` is published on
 * `cloud.in.a.b.c` with its payload as it came. Returns what unsubscribes.
 */
export function mirrorCloudTopics(
  link: CloudLink,
  bus: Bus,
  filters: readonly string[],
  counts: InboundCounts,
  logger: Logger,
): () => void {
  const offs = filters.map((filter) =>
    link.subscribe(filter, ({ topic, payload }) => {
      const subject = cloudInSubject(topic);
      if (!subject) {
        counts.unroutable++;
        logger.warn({ topic, filter }, 'cloud message dropped: its topic has a level no bus subject can carry');
        return;
      }
      try {
        bus.publishRaw(subject, payload);
        counts.published++;
      } catch (error) {
        logger.warn({ topic, reason: (error as Error).message }, 'cloud message not published on the bus');
      }
    }),
  );
  return () => offs.forEach((off) => off());
}
