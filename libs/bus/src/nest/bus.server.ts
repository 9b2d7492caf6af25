import { findEventSubject, findRequestSubject } from '@lichen/contracts';
import { Server, type CustomTransportStrategy, type MessageHandler } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import type { Bus } from '../bus.js';
import type { HandlerResult, MessageMeta, RequestMeta, Unsubscribe } from '../bus.types.js';
import { BusContext } from './bus.context.js';
import { toBusReply } from './observable-reply.js';

export interface BusServerOptions {
  /**
   * Leading wildcard values per request pattern, for a service that answers only its own subjects: with
   * `{ 'lichen.health.*.get': [deviceId] }` the handler of that pattern serves `lichen.health.<deviceId>.get`.
   */
  tokens?: Readonly<Record<string, string[]>>;
}

/**
 * Serves NestJS `@MessagePattern` and `@EventPattern` handlers on the Lichen wire. A pattern is a subject
 * pattern from the contracts' subject map, which says how to decode the request and encode the reply: a plain
 * NATS client in any language can call these handlers, with no NestJS envelope. Queue groups follow
 * `Bus.serve`: one per request pattern so replicas share the work, none for fan-out requests and events.
 * A handler that returns an `AsyncIterable`, or an `Observable` of several values, streams its replies.
 */
export class BusServer extends Server implements CustomTransportStrategy {
  readonly #unsubscribes: Unsubscribe[] = [];

  constructor(
    private readonly bus: Bus,
    private readonly options: BusServerOptions = {},
  ) {
    super();
  }

  listen(callback: (...optionalParams: unknown[]) => void): void {
    try {
      for (const [pattern, handler] of this.messageHandlers) {
        this.#unsubscribes.push(handler.isEventHandler ? this.#listen(pattern, handler) : this.#serve(pattern, handler));
      }
    } catch (error) {
      callback(error);
      return;
    }
    callback();
  }

  /** Stops this server's handlers from taking requests and waits for those in flight to reply. */
  async close(): Promise<void> {
    await Promise.all(this.#unsubscribes.splice(0).map((unsubscribe) => unsubscribe()));
  }

  on(): never {
    throw new Error('BusServer has no events: use Bus.onConnectionChange');
  }

  unwrap<T>(): T {
    return this.bus as T;
  }

  #serve(pattern: string, handler: MessageHandler): Unsubscribe {
    const contract = findRequestSubject(pattern);
    if (!contract) throw new Error(`@MessagePattern('${pattern}') is not a request subject of the contracts' subject map`);
    const handle = async (request: unknown, meta: RequestMeta) =>
      (await toBusReply(await handler(request, new BusContext([meta])))) as HandlerResult<typeof contract.reply>;
    return this.bus.serve(contract, handle, { tokens: this.options.tokens?.[pattern] });
  }

  #listen(pattern: string, handler: MessageHandler): Unsubscribe {
    const contract = findEventSubject(pattern);
    if (!contract) throw new Error(`@EventPattern('${pattern}') is not an event subject of the contracts' subject map`);
    return this.bus.subscribe(contract, async (event, meta: MessageMeta) => {
      const result = await handler(event, new BusContext([meta]));
      if (result !== undefined) await lastValueFrom(this.transformToObservable(result), { defaultValue: undefined });
    });
  }
}
