import type { CloudLink } from '../link/cloud-link.js';
import { isObject, type JsonObject } from '../shadow/json-value.js';
import type { ShadowAddress } from '../shadow/shadow-address.js';
import { readShadowTopic, shadowReplyFilters, shadowTopic, type ShadowOperation } from './shadow-topics.js';

/** The cloud's answer to a shadow request: its `/accepted` body, or its `/rejected` code and message. */
export type CloudShadowReply = { accepted: true; body: JsonObject } | { accepted: false; code: number; message: string };

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * The thing's shadows in the cloud, over AWS IoT's shadow topics: a request carries a fresh `clientToken` and
 * waits for the `/accepted` or `/rejected` that echoes it. What the cloud says on its own (a `delta`, `documents`,
 * or a change another client made) is passed to `onCloudChange`.
 */
export class CloudShadows {
  readonly #pending = new Map<string, (reply: CloudShadowReply) => void>();
  #sequence = 0;

  constructor(
    private readonly link: CloudLink,
    private readonly thing: string,
    private readonly onCloudChange: (address: ShadowAddress) => void,
    private readonly timeoutMs = 10_000,
  ) {}

  /** Subscribes to the thing's shadow replies and events (on every connection); returns what stops it. */
  start(): () => void {
    const offs = shadowReplyFilters(this.thing).map((filter) => this.link.subscribe(filter, (message) => this.#receive(message.topic, message.payload)));
    return () => offs.forEach((off) => off());
  }

  /** Sends a request and resolves with the cloud's reply; rejects when the link is down or no reply comes in time. */
  async request(address: ShadowAddress, operation: ShadowOperation, body: JsonObject = {}): Promise<CloudShadowReply> {
    const clientToken = `lichen-${Date.now().toString(36)}-${(this.#sequence++).toString(36)}`;
    const reply = new Promise<CloudShadowReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(clientToken);
        reject(new Error(`no answer from the cloud to ${shadowTopic(address, operation)} within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.#pending.set(clientToken, (answer) => {
        clearTimeout(timer);
        this.#pending.delete(clientToken);
        resolve(answer);
      });
    });
    try {
      await this.link.publish(shadowTopic(address, operation), encoder.encode(JSON.stringify({ ...body, clientToken })));
    } catch (error) {
      this.#pending.get(clientToken)?.({ accepted: false, code: 0, message: (error as Error).message });
      throw error;
    }
    return reply;
  }

  #receive(topic: string, payload: Uint8Array): void {
    const read = readShadowTopic(topic);
    if (!read || read.address.thing !== this.thing) return;
    let body: unknown;
    try {
      body = JSON.parse(decoder.decode(payload));
    } catch {
      return;
    }
    if (!isObject(body)) return;
    const token = typeof body.clientToken === 'string' ? body.clientToken : undefined;
    const waiting = token === undefined ? undefined : this.#pending.get(token);
    if (waiting && (read.kind === 'accepted' || read.kind === 'rejected')) {
      waiting(
        read.kind === 'accepted'
          ? { accepted: true, body }
          : { accepted: false, code: Number(body.code) || 0, message: String(body.message ?? '') },
      );
      return;
    }
    // Our own requests' replies and events are told by `request`; the rest is news from the cloud.
    const ours = token?.startsWith('lichen-') ?? false;
    if (!ours && (read.kind === 'delta' || read.kind === 'documents' || (read.operation === 'delete' && read.kind === 'accepted'))) {
      this.onCloudChange(read.address);
    }
  }
}
