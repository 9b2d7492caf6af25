import { readFile } from 'node:fs/promises';
import type { IClientOptions, IClientPublishOptions, MqttClient } from 'mqtt';
import { processEnvironment } from '@lichen/config';
import type { CloudLink, CloudMessage, LinkStatus, PublishOptions } from '../domain/link/cloud-link.js';
import { PublishRefusedError } from '../domain/link/cloud-link.js';
import { envelope, MESSAGE_ID_PROPERTY } from '../domain/link/message-envelope.js';
import { reconnectDelay, type BackoffBounds } from '../domain/link/reconnect-backoff.js';
import { topicMatches } from '../domain/link/topic-filter.js';
import { describeDisconnect, describeLinkError } from './link-error.js';

/** How the link reaches the cloud broker (from the `LICHEN_CLOUD_*` variables). */
export interface MqttLinkSettings {
  readonly url: string;
  readonly clientId: string;
  readonly protocolVersion: 4 | 5;
  readonly keepaliveMs: number;
  readonly sessionExpiryMs: number;
  readonly reconnect: BackoffBounds;
  readonly tls?: { readonly caFile?: string; readonly certFile?: string; readonly keyFile?: string };
  readonly username?: string;
  readonly password?: string;
  readonly connectTimeoutMs?: number;
}

/** A connection up this long has worked: the next reconnect waits start over from the shortest. */
const STABLE_CONNECTION_MS = 30_000;
/** mqtt.js's own debug log, on only when DEBUG asks for it (`DEBUG=mqttjs*`). */
const mqttDebugLogging = /mqttjs/.test(processEnvironment()['DEBUG'] ?? '');
/** AWS IoT Core takes at most 8 topic filters in one SUBSCRIBE. */
const FILTERS_PER_SUBSCRIBE = 8;

type Mqtt = typeof import('mqtt');
let loading: Promise<Mqtt> | undefined;

/** The `mqtt` package, imported when a link first connects (a device without a cloud never loads it). */
function loadMqtt(): Promise<Mqtt> {
  return (loading ??= import('mqtt').then((module) => ('connect' in module ? module : (module as { default: Mqtt }).default)));
}

class LinkLostError extends Error {
  constructor(reason: string) {
    super(`the link to the cloud broker is down: ${reason}`);
    this.name = 'LinkLostError';
  }
}

/**
 * The link to the cloud broker over MQTT (`mqtt` package): one client per connection, so nothing it queued
 * outlives the connection; a publish waiting for its PUBACK when the connection drops fails, and its owner sends
 * it again. Reconnects forever, waiting from `reconnect.minMs` doubling to `maxMs` with jitter; every connection
 * subscribes again. The session is persistent (clean start off), so QoS 1 messages for the device wait at the
 * broker while it is away.
 */
export class MqttLink implements CloudLink {
  #status: LinkStatus = { state: 'disconnected', since: Date.now() };
  #client: MqttClient | undefined;
  #failures = 0;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  readonly #listeners = new Set<(status: LinkStatus) => void>();
  readonly #handlers = new Map<string, Set<(message: CloudMessage) => void>>();
  readonly #waiting = new Set<(error: Error) => void>();

  constructor(private readonly settings: MqttLinkSettings) {}

  get status(): LinkStatus {
    return this.#status;
  }

  onStatus(listener: (status: LinkStatus) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  start(): void {
    if (!this.#client && !this.#timer) void this.#connect();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    const client = this.#client;
    this.#client = undefined;
    this.#failAll('the sync agent is stopping');
    this.#setStatus({ state: 'disconnected', lastError: 'the sync agent stopped' });
    if (client) await client.endAsync(true).catch(() => undefined);
  }

  publish(topic: string, payload: Uint8Array, options: PublishOptions = {}): Promise<void> {
    const client = this.#client;
    if (!client || this.#status.state !== 'connected') return Promise.reject(new LinkLostError(this.#status.state));
    const v5 = this.settings.protocolVersion === 5;
    const body = options.messageId && !v5 ? envelope(options.messageId, payload) : payload;
    const publishOptions: IClientPublishOptions = { qos: options.qos ?? 1 };
    if (options.messageId && v5) publishOptions.properties = { userProperties: { [MESSAGE_ID_PROPERTY]: options.messageId } };
    return new Promise((resolve, reject) => {
      const fail = (error: Error) => {
        this.#waiting.delete(fail);
        reject(error);
      };
      this.#waiting.add(fail);
      client.publish(topic, Buffer.from(body.buffer, body.byteOffset, body.byteLength), publishOptions, (error) => {
        if (!this.#waiting.delete(fail)) return;
        if (!error) resolve();
        else reject(isRefusal(error) ? new PublishRefusedError(error.message) : new LinkLostError(error.message));
      });
    });
  }

  subscribe(filter: string, handler: (message: CloudMessage) => void): () => void {
    let handlers = this.#handlers.get(filter);
    if (!handlers) {
      handlers = new Set();
      this.#handlers.set(filter, handlers);
      if (this.#status.state === 'connected') this.#subscribeAll([filter]);
    }
    handlers.add(handler);
    return () => {
      handlers.delete(handler);
      if (handlers.size || this.#handlers.get(filter) !== handlers) return;
      this.#handlers.delete(filter);
      if (this.#status.state === 'connected') this.#client?.unsubscribe(filter);
    };
  }

  async #connect(): Promise<void> {
    this.#timer = undefined;
    if (this.#stopped) return;
    this.#setStatus({ state: 'connecting', lastError: this.#status.lastError });
    let client: MqttClient;
    try {
      const mqtt = await loadMqtt();
      client = mqtt.connect(this.settings.url, await this.#options());
    } catch (error) {
      this.#retry(describeLinkError(error));
      return;
    }
    if (this.#stopped) {
      client.end(true);
      return;
    }
    this.#client = client;
    let lastError: string | undefined;
    let connectedAt: number | undefined;
    client.on('connect', (connack) => {
      connectedAt = Date.now();
      lastError = undefined;
      const inFlightLimit = connack.properties?.receiveMaximum;
      this.#setStatus({ state: 'connected', lastError: this.#status.lastError, inFlightLimit });
      this.#subscribeAll([...this.#handlers.keys()]);
    });
    client.on('error', (error) => {
      lastError = describeLinkError(error);
    });
    // An MQTT 5 broker says why it closes a connection (a session taken over, not authorized, a packet too large).
    client.on('disconnect', (packet) => {
      lastError = describeDisconnect(packet.reasonCode, packet.properties?.reasonString);
    });
    client.on('message', (topic, payload) => this.#deliver(topic, payload));
    client.once('close', () => {
      if (this.#client !== client) return;
      this.#client = undefined;
      client.end(true);
      const reason = lastError ?? (connectedAt ? 'the broker closed the connection' : 'the broker did not answer in time');
      this.#failAll(reason);
      // Only a connection that lasted starts the waits over: one the broker closes at once (a duplicate client id,
      // a message it will not take) must not be tried again every second.
      if (connectedAt !== undefined && Date.now() - connectedAt >= STABLE_CONNECTION_MS) this.#failures = 0;
      if (!this.#stopped) this.#retry(reason);
    });
  }

  #retry(reason: string): void {
    const retryAt = Date.now() + reconnectDelay(this.#failures++, this.settings.reconnect);
    this.#setStatus({ state: 'disconnected', lastError: reason, retryAt });
    this.#timer = setTimeout(() => void this.#connect(), retryAt - Date.now());
  }

  async #options(): Promise<IClientOptions> {
    const { clientId, protocolVersion, keepaliveMs, sessionExpiryMs, tls, username, password } = this.settings;
    const options: IClientOptions = {
      clientId,
      protocolVersion,
      clean: false,
      keepalive: Math.round(keepaliveMs / 1_000),
      reconnectPeriod: 0,
      connectTimeout: this.settings.connectTimeoutMs ?? 30_000,
      username,
      password,
      resubscribe: false,
      // Its debug logging costs several calls per message even when off: measured 15 % of the agent's time.
      log: mqttDebugLogging ? undefined : () => undefined,
      reschedulePings: false,
    };
    if (protocolVersion === 5) options.properties = { sessionExpiryInterval: Math.round(sessionExpiryMs / 1_000) };
    if (tls?.caFile) options.ca = await readSetting(tls.caFile, 'LICHEN_CLOUD_CA_FILE');
    if (tls?.certFile) options.cert = await readSetting(tls.certFile, 'LICHEN_CLOUD_CERT_FILE');
    if (tls?.keyFile) options.key = await readSetting(tls.keyFile, 'LICHEN_CLOUD_KEY_FILE');
    return options;
  }

  /** Subscribes in packets of at most 8 filters, AWS IoT's limit per SUBSCRIBE. */
  #subscribeAll(filters: string[]): void {
    for (let start = 0; start < filters.length; start += FILTERS_PER_SUBSCRIBE) {
      const some = filters.slice(start, start + FILTERS_PER_SUBSCRIBE);
      this.#client?.subscribe(some, { qos: 1 }, (error, granted) => {
        const refused = (granted ?? []).filter((grant) => grant.qos >= 0x80).map((grant) => grant.topic);
        if (error || refused.length) {
          this.#setStatus({
            ...this.#status,
            lastError: `the broker refused the subscription to ${refused.join(', ') || some.join(', ')}${error ? `: ${error.message}` : ''}`,
          });
        }
      });
    }
  }

  #deliver(topic: string, payload: Buffer): void {
    const message: CloudMessage = { topic, payload: new Uint8Array(payload.buffer, payload.byteOffset, payload.byteLength) };
    for (const [filter, handlers] of this.#handlers) {
      if (!topicMatches(filter, topic)) continue;
      for (const handler of handlers) handler(message);
    }
  }

  #failAll(reason: string): void {
    const waiting = [...this.#waiting];
    this.#waiting.clear();
    for (const fail of waiting) fail(new LinkLostError(reason));
  }

  /** `since` moves only when the link goes up or down: connecting again while down does not reset it. */
  #setStatus(status: Omit<LinkStatus, 'since'>): void {
    const wasUp = this.#status.state === 'connected';
    const isUp = status.state === 'connected';
    this.#status = { ...status, since: wasUp === isUp ? this.#status.since : Date.now() };
    for (const listener of this.#listeners) listener(this.#status);
  }
}

/** A PUBACK with an MQTT 5 reason code of 0x80 or more: the broker will not take this message. */
function isRefusal(error: Error): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'number' && code >= 0x80;
}

async function readSetting(path: string, variable: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new Error(`cannot read ${variable} ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}
