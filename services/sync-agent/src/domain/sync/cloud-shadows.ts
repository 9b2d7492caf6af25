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
 * or a delete another client made) is passed to the listener given to `start`.
 */
export class CloudShadows {
  readonly #pending = new Map<string, (reply: CloudShadowReply) => void>();
  #sequence = 0;

  #onCloudChange: (address: ShadowAddress) => void = () => undefined;

  constructor(
    private readonly link: CloudLink,
    private readonly thing: string,
    private readonly timeoutMs = 10_000,
  ) {}

  /**
   * Subscribes to the thing's shadow replies and events (on every connection), telling `onCloudChange` what the
   * cloud says on its own; returns what stops it, failing the requests still waiting.
   */
  start(onCloudChange: (address: ShadowAddress) => void): () => void {
    this.#onCloudChange = onCloudChange;
    const offs = shadowReplyFilters(this.thing).map((filter) =>
      this.link.subscribe(filter, (message) => this.#receive(message.topic, message.payload)),
    );
    return () => {
      offs.forEach((off) => off());
      for (const answer of [...this.#pending.values()]) answer({ accepted: false, code: 0, message: 'the shadow sync stopped' });
    };
  }

  /**
   * Sends a request and resolves with the cloud's reply. Rejects when the link is down or drops before the broker
   * takes it, or when no reply comes within the timeout (counted from the send); a stop answers it as refused.
   */
  request(address: ShadowAddress, operation: ShadowOperation, body: JsonObject = {}): Promise<CloudShadowReply> {
    const clientToken = `lichen-${Date.now().toString(36)}-${(this.#sequence++).toString(36)}`;
    const topic = shadowTopic(address, operation);
    return new Promise<CloudShadowReply>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const settle = (settleWith: () => void) => {
        clearTimeout(timer);
        this.#pending.delete(clientToken);
        settleWith();
      };
      this.#pending.set(clientToken, (answer) => settle(() => resolve(answer)));
      this.link.publish(topic, encoder.encode(JSON.stringify({ ...body, clientToken }))).then(
        () => {
          if (!this.#pending.has(clientToken)) return;
          timer = setTimeout(
            () => settle(() => reject(new Error(`no answer from the cloud to ${topic} within ${this.timeoutMs} ms`))),
            this.timeoutMs,
          );
        },
        (error: unknown) => settle(() => reject(error)),
      );
    });
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
    if (
      !ours &&
      (read.kind === 'delta' || read.kind === 'documents' || (read.operation === 'delete' && read.kind === 'accepted'))
    ) {
      this.#onCloudChange(read.address);
    }
  }
}
