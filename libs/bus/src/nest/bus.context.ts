import { BaseRpcContext } from '@nestjs/microservices';
import type { MessageMeta } from '../bus.js';

/** The context a `@MessagePattern` / `@EventPattern` handler gets with `@Ctx()`: the subject and headers. */
export class BusContext extends BaseRpcContext<[MessageMeta]> {
  get subject(): string {
    return this.args[0].subject;
  }

  header(name: string): string | undefined {
    return this.args[0].headers?.get(name) || undefined;
  }
}
