import { BaseRpcContext } from '@nestjs/microservices';
import type { MessageMeta, RequestMeta } from '../bus.types.js';

/** The context a `@MessagePattern` / `@EventPattern` handler gets with `@Ctx()`: subject, tokens, headers. */
export class BusContext extends BaseRpcContext<[MessageMeta | RequestMeta]> {
  get subject(): string {
    return this.args[0].subject;
  }

  /** The values of the pattern's wildcards in the subject, in order. */
  get tokens(): string[] {
    return this.args[0].tokens;
  }

  header(name: string): string | undefined {
    return this.args[0].headers?.get(name) || undefined;
  }

  /** Sets a header on the reply (on every item, when the handler streams); events have no reply. */
  setReplyHeader(name: string, value: string): void {
    const meta = this.args[0];
    if (!('replyHeaders' in meta)) throw new TypeError(`an event on ${meta.subject} has no reply to set ${name} on`);
    meta.replyHeaders.set(name, value);
  }
}
