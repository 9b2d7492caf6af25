import type { ConditionInput } from '@lichen/routes';
import type { InboundMessage } from './inbound-message.js';

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

  constructor(private readonly message: InboundMessage) {}

  get subject(): string {
    return this.message.subject;
  }

  get payload(): unknown {
    if (!this.#parsed) {
      this.#parsed = true;
      try {
        this.#payload = JSON.parse(decoder.decode(this.message.data));
      } catch {
        this.notJson = true;
      }
    }
    if (this.notJson) throw new SyntaxError('the payload is not JSON');
    return this.#payload;
  }

  get headers(): Readonly<Record<string, string>> {
    if (!this.#headers) {
      const headers = this.message.headers;
      this.#headers = {};
      for (const key of headers?.keys() ?? []) this.#headers[key] = headers?.get(key) ?? '';
    }
    return this.#headers;
  }
}
