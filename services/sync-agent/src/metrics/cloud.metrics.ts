import { Counter, Gauge, type Registry } from 'prom-client';
import type { CloudLink } from '../domain/link/cloud-link.js';
import type { ForwardCounts } from '../domain/forward/spool-forwarder.js';
import type { SpoolBacklog } from '../domain/forward/spool-backlog.js';
import type { InboundCounts } from '../transport/cloud-inbound.js';

export interface CloudMetricsSources {
  readonly link: CloudLink;
  readonly connections: () => number;
  readonly forwarded: ForwardCounts;
  readonly inFlight: () => number;
  readonly inbound: InboundCounts;
  /** Read at scrape time; a failure (NATS away) leaves the spool gauges out of that scrape. */
  readonly backlog: () => Promise<SpoolBacklog>;
}

/** The link and the spool on `/metrics`, read from the agent's own counts at scrape time. */
export function registerCloudMetrics(registry: Registry, sources: CloudMetricsSources): void {
  const counter = (name: string, help: string, read: () => number) =>
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  new Gauge({
    name: 'lichen_cloud_connected',
    help: 'Whether the link to the cloud broker is up (1) or not (0).',
    registers: [registry],
    collect() {
      this.set(sources.link.status.state === 'connected' ? 1 : 0);
    },
  });
  counter('lichen_cloud_connections_total', 'Connections the link made to the cloud broker.', sources.connections);
  counter(
    'lichen_spool_forwarded_messages_total',
    'Spooled messages the cloud broker confirmed (PUBACK).',
    () => sources.forwarded.forwarded,
  );
  new Counter({
    name: 'lichen_spool_dropped_messages_total',
    help: "Spooled messages never forwarded: reason bounds (the spool's size or age limit dropped them), refused (by the broker).",
    labelNames: ['reason'],
    registers: [registry],
    collect() {
      this.reset();
      this.inc({ reason: 'bounds' }, sources.forwarded.dropped);
      this.inc({ reason: 'refused' }, sources.forwarded.refused);
    },
  });
  counter(
    'lichen_spool_duplicate_suspect_messages_total',
    'Spooled messages sent again after a reconnect or a restart: the cloud may have received them twice.',
    () => sources.forwarded.duplicateSuspects,
  );
  new Gauge({
    name: 'lichen_spool_in_flight_messages',
    help: 'Spooled messages sent to the cloud broker and not yet confirmed.',
    registers: [registry],
    collect() {
      this.set(sources.inFlight());
    },
  });
  // One read of the backlog serves the three gauges of a scrape (prom-client collects them side by side).
  let reading: { at: number; backlog: Promise<SpoolBacklog | undefined> } | undefined;
  const backlog = () => {
    if (!reading || Date.now() - reading.at > 500) {
      reading = { at: Date.now(), backlog: sources.backlog().catch(() => undefined) };
    }
    return reading.backlog;
  };
  const backlogGauge = (name: string, help: string, read: (backlog: SpoolBacklog) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        this.reset();
        const now = await backlog();
        if (now) this.set(read(now));
      },
    });
  backlogGauge('lichen_spool_depth_messages', 'Messages in the spool not yet confirmed by the cloud broker.', (b) => b.depth);
  backlogGauge('lichen_spool_bytes', 'Bytes the spool stream holds.', (b) => b.bytes);
  backlogGauge(
    'lichen_spool_oldest_message_age_seconds',
    'Age of the oldest spooled message not yet confirmed by the cloud broker; 0 when none waits.',
    (b) => b.oldestAgeMs / 1_000,
  );
  new Counter({
    name: 'lichen_cloud_inbound_messages_total',
    help: 'Messages from the cloud subscriptions: result published (on cloud.in.<topic>) or unroutable (topic no subject can carry).',
    labelNames: ['result'],
    registers: [registry],
    collect() {
      this.reset();
      this.inc({ result: 'published' }, sources.inbound.published);
      this.inc({ result: 'unroutable' }, sources.inbound.unroutable);
    },
  });
}
