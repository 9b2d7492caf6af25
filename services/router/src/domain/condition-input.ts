import type { ConditionInput } from '@lichen/routes';
import { headerRecord, type InboundMessage } from './inbound-message.js';

const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * What every route's `where` sees of one message: the JSON body parsed on first use and only once, however
 * many routes read it, and not at all when none does. A body that is not JSON (or not UTF-8) throws on use, and
 * `notJson` tells the router why the condition failed.
 */
export class ConditionView implements ConditionInput {
  #payload: unknown;
  #parsed = false;
  #headers: Record<string, string> | undefined;
  notJson = false;

  constructor(
    private readonly message: InboundMessage,
    private readonly payloads: LastPayload,
  ) {}

  get subject(): string {
    return this.message.subject;
  }

  get payload(): unknown {
    if (!this.#parsed) {
      this.#parsed = true;
      const parsed = this.payloads.parse(this.message.data);
      if (parsed.ok) this.#payload = parsed.value;
      else this.notJson = true;
    }
    if (this.notJson) throw new SyntaxError('the payload is not JSON');
    return this.#payload;
  }

  get headers(): Readonly<Record<string, string>> {
    this.#headers ??= headerRecord(this.message.headers);
    return this.#headers;
  }
}

/**
 * The last payload parsed, by its bytes: the copies of one message that arrive on several subscriptions (routes
 * with different, overlapping `from`s) come one after the other, and the second is not parsed again. Equal bytes
 * parse alike, so reusing the result is right whichever message it came from; conditions never change it.
 */
export class LastPayload {
  #data: Uint8Array | undefined;
  #result: { ok: true; value: unknown } | { ok: false } = { ok: false };

  parse(data: Uint8Array): { ok: true; value: unknown } | { ok: false } {
    if (this.#data && sameBytes(this.#data, data)) return this.#result;
    try {
      this.#result = { ok: true, value: JSON.parse(decoder.decode(data)) };
    } catch {
      this.#result = { ok: false };
    }
    this.#data = data;
    return this.#result;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a === b || (a.byteLength === b.byteLength && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b));
}
