import { findEventSubject, findRequestSubject } from '@lichen/contracts';
import { Server, type CustomTransportStrategy, type MessageHandler } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import type { Bus, MessageMeta, Unsubscribe } from '../bus.js';
import { BusContext } from './bus.context.js';

export interface BusServerOptions {
  /** Queue group, so that replicas of a service share the work. */
  queue?: string;
}

/**
 * Serves NestJS `@MessagePattern` and `@EventPattern` handlers on the Lichen wire. A pattern is a subject from
 * the contracts' subject map, which says how to decode the request and encode the reply: a plain NATS client
 * in any language can call these handlers, with no NestJS envelope.
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

  close(): void {
    for (const unsubscribe of this.#unsubscribes.splice(0)) unsubscribe();
  }

  on(): never {
    throw new Error('BusServer has no events: use Bus.onConnectionChange');
  }

  unwrap<T>(): T {
    return this.bus as T;
  }

  #serve(subject: string, handler: MessageHandler): Unsubscribe {
    const contract = findRequestSubject(subject);
    if (!contract) throw new Error(`@MessagePattern('${subject}') is not a request subject of the contracts' subject map`);
    return this.bus.serve(
      contract,
      async (request, meta) => lastValueFrom(this.transformToObservable(await handler(request, this.#context(meta)))),
      this.options,
    );
  }

  #listen(pattern: string, handler: MessageHandler): Unsubscribe {
    const contract = findEventSubject(pattern);
    if (!contract) throw new Error(`@EventPattern('${pattern}') is not an event subject of the contracts' subject map`);
    return this.bus.subscribe(
      contract,
      async (event, meta) => {
        const result = await handler(event, this.#context(meta));
        if (result !== undefined) await lastValueFrom(this.transformToObservable(result), { defaultValue: undefined });
      },
      this.options,
    );
  }

  #context(meta: MessageMeta): BusContext {
    return new BusContext([meta]);
  }
}
