import type { Bus, Unsubscribe } from '@lichen/bus';
import { cloudTopicOf } from '@lichen/contracts';
import type { Logger } from '@lichen/logging';
import { keepCloudSpool, type SpoolLimits } from '@lichen/spool';
import type { Registry } from 'prom-client';
import { spoolBacklog } from '../domain/forward/spool-backlog.js';
import { SpoolForwarder } from '../domain/forward/spool-forwarder.js';
import { spoolMessageIds } from '../domain/forward/message-id.js';
import type { CloudLink } from '../domain/link/cloud-link.js';
import { registerCloudMetrics } from '../metrics/cloud.metrics.js';
import { mirrorCloudTopics, type InboundCounts } from './cloud-inbound.js';
import { serveCloudStatus } from './cloud-status.responder.js';
import { announceConnection } from './connection.announcer.js';
import { StreamCursorStore } from './cursor.store.js';
import { forwardHeartbeats } from './heartbeat.forwarder.js';
import { startJobs } from './jobs.wiring.js';
import { BusSpool } from './spool.reader.js';

export interface CloudBridgeSettings {
  readonly thingName: string;
  readonly deviceId: string;
  /** The broker's URL without credentials, for the log and `lichen cloud`. */
  readonly endpoint: string;
  readonly protocolVersion: number;
  readonly maxInFlight: number;
  readonly subscriptions: readonly string[];
  /** `off`: heartbeats are not forwarded. */
  readonly heartbeatTopic: string;
  readonly spoolLimits: SpoolLimits;
}

/**
 * The bus side of the cloud link: keeps the spool, forwards it, mirrors cloud subscriptions onto `cloud.in.>`,
 * forwards heartbeats, says the link's state, and answers `lichen.cloud.status`.
 */
export class CloudBridge {
  readonly #inbound: InboundCounts = { published: 0, unroutable: 0 };
  readonly #forwarder: SpoolForwarder;
  readonly #spool: BusSpool;
  readonly #cursors: StreamCursorStore;
  #connections = 0;
  #stops: (Unsubscribe | (() => void))[] = [];

  constructor(
    private readonly bus: Bus,
    private readonly link: CloudLink,
    private readonly settings: CloudBridgeSettings,
    private readonly logger: Logger,
  ) {
    this.#spool = new BusSpool(bus, settings.spoolLimits, Math.min(settings.maxInFlight, 1_024));
    this.#cursors = new StreamCursorStore(bus);
    this.#forwarder = new SpoolForwarder({
      spool: this.#spool,
      cursors: this.#cursors,
      link,
      topicOf: publishableTopicOf,
      messageId: spoolMessageIds(settings.thingName),
      maxInFlight: settings.maxInFlight,
      log: (level, event, fields) => logger[level](fields, event),
    });
  }

  registerMetrics(registry: Registry): void {
    registerCloudMetrics(registry, {
      link: this.link,
      connections: () => this.#connections,
      forwarded: this.#forwarder.counts,
      inFlight: () => this.#forwarder.inFlight,
      inbound: this.#inbound,
      backlog: () => this.#backlog(),
    });
  }

  start(): void {
    const { settings, bus, link, logger } = this;
    const identity = { endpoint: settings.endpoint, clientId: settings.thingName };
    this.#stops = [
      keepCloudSpool(bus, logger, settings.spoolLimits),
      link.onStatus((status) => {
        if (status.state === 'connected') this.#connections++;
      }),
      announceConnection(bus, link, identity, logger),
      mirrorCloudTopics(link, bus, settings.subscriptions, this.#inbound, logger),
      serveCloudStatus(bus, {
        link,
        identity,
        protocolVersion: settings.protocolVersion,
        subscriptions: settings.subscriptions,
        forwarded: this.#forwarder.counts,
        backlog: () => this.#backlog(),
      }),
    ];
    if (settings.heartbeatTopic !== 'off') {
      this.#stops.push(
        forwardHeartbeats(
          bus,
          link,
          settings.heartbeatTopic.replaceAll('{thing}', settings.thingName),
          settings.deviceId,
          logger,
        ),
      );
    }
    this.#stops.push(startJobs(bus, link, settings.thingName, logger));
    this.#forwarder.start();
  }

  /**
   * Stops forwarding, giving the messages in flight `graceMs` to be confirmed; then `stopLink` fails the rest
   * (they go again after the restart) and the cursor is saved.
   */
  async stop(stopLink: () => Promise<void>, graceMs = 3_000): Promise<void> {
    await Promise.all(this.#stops.map((stop) => stop()));
    const forwarding = this.#forwarder.stop();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([forwarding, new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
    await stopLink();
    await forwarding;
  }

  #backlog() {
    return spoolBacklog(this.#spool, this.#cursors, this.#forwarder.position);
  }
}

/**
 * The cloud topic a spool subject is sent to; undefined for one a broker would not take as a topic name (NATS
 * subjects may hold the MQTT wildcards `+` and `#`; a broker closes the connection on such a publish).
 */
function publishableTopicOf(subject: string): string | undefined {
  const topic = cloudTopicOf(subject);
  return topic !== undefined && !/[+#]/.test(topic) ? topic : undefined;
}
