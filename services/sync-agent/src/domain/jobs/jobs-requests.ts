import type { CloudLink, CloudMessage } from '../link/cloud-link.js';
import { isObject, type JsonObject, type JsonValue } from '../shadow/json-value.js';

/** The cloud's answer to a request: on `/accepted`, or on `/rejected` with AWS's error code and message. */
export type JobsReply =
  | { readonly accepted: true; readonly body: JsonObject }
  | { readonly accepted: false; readonly code: string; readonly message: string; readonly body: JsonObject };

/** A request with no usable answer: not sent, the link dropped, nothing came in time. Asking again later may work. */
export class JobsRequestError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'JobsRequestError';
  }
}

interface Waiting {
  readonly topic: string;
  readonly settle: (outcome: JobsReply | Error) => void;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Requests to AWS IoT Jobs over the cloud link, each answered on its topic plus `/accepted` or `/rejected`; the
 * answer is matched to its request by the `clientToken` the request carried. Tokens start with a prefix of their
 * own per agent, so an answer to a request of an earlier run (a persistent session keeps them) matches nothing.
 * A request waiting when the link drops fails at once: its answer may never come on a new connection.
 */
export class JobsRequests {
  readonly #waiting = new Map<string, Waiting>();
  readonly #prefix = `lichen-${Math.random().toString(36).slice(2, 10)}`;
  #sent = 0;

  constructor(
    private readonly link: CloudLink,
    private readonly timeoutMs: number,
  ) {}

  /** Subscribes to the answers' topic filters; returns what unsubscribes (failing the requests still waiting). */
  listen(filters: readonly string[]): () => void {
    const stops = filters.map((filter) => this.link.subscribe(filter, (message) => this.#answered(message)));
    const unwatch = this.link.onStatus((status) => {
      if (status.state !== 'connected') this.#failAll(`the link to the cloud is ${status.state}`);
    });
    return () => {
      stops.forEach((stop) => stop());
      unwatch();
      this.#failAll('the jobs agent stopped');
    };
  }

  /** Publishes `body` with a new `clientToken` (QoS 1) and resolves with its answer. */
  request(topic: string, body: JsonObject): Promise<JobsReply> {
    const clientToken = `${this.#prefix}-${++this.#sent}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => settle(new JobsRequestError(`no answer on ${topic}/accepted or /rejected within ${this.timeoutMs} ms`)),
        this.timeoutMs,
      );
      const settle = (outcome: JobsReply | Error) => {
        if (!this.#waiting.delete(clientToken)) return;
        clearTimeout(timer);
        if (outcome instanceof Error) reject(outcome);
        else resolve(outcome);
      };
      this.#waiting.set(clientToken, { topic, settle });
      this.link
        .publish(topic, encoder.encode(JSON.stringify({ ...body, clientToken })), { qos: 1 })
        .catch((error: Error) => settle(new JobsRequestError(`${topic} was not sent: ${error.message}`, { cause: error })));
    });
  }

  #answered(message: CloudMessage): void {
    const body = parseObject(message.payload);
    const token = body?.clientToken;
    const waiting = typeof token === 'string' ? this.#waiting.get(token) : undefined;
    if (!body || !waiting) return;
    if (message.topic === `${waiting.topic}/accepted`) waiting.settle({ accepted: true, body });
    else if (message.topic === `${waiting.topic}/rejected`) {
      const { code, message: said } = body;
      waiting.settle({
        accepted: false,
        code: typeof code === 'string' ? code : 'unknown',
        message: typeof said === 'string' ? said : '',
        body,
      });
    }
  }

  #failAll(reason: string): void {
    for (const { topic, settle } of [...this.#waiting.values()]) settle(new JobsRequestError(`${topic}: ${reason}`));
  }
}

/** A message's JSON object, or undefined when it is not one. */
export function parseObject(payload: Uint8Array): JsonObject | undefined {
  try {
    const value = JSON.parse(decoder.decode(payload)) as JsonValue;
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
