import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { Bus, type Unsubscribe } from '@lichen/bus';
import { subjects } from '@lichen/contracts';
import { LocalShadows } from '../domain/shadow/local-shadows.js';
import { accepted } from './shadow-rejected.error.js';
import { documentReply, requestBody, updateBody } from './shadow.wire.js';

/**
 * `lichen.shadow.<thing>.<shadow>.get|update|delete`: the device's shadows for local clients, with AWS IoT's
 * documents and refusals (`<shadow>` is `$classic` for the thing's unnamed shadow).
 */
@Injectable()
export class ShadowResponder implements OnApplicationBootstrap, OnModuleDestroy {
  readonly #served: Unsubscribe[] = [];

  constructor(
    @Inject(Bus) private readonly bus: Bus,
    @Inject(LocalShadows) private readonly shadows: LocalShadows,
  ) {}

  onApplicationBootstrap(): void {
    const { shadow } = subjects;
    this.#served.push(
      this.bus.serve(shadow.get, async (request, { tokens: [thing, name] }) => {
        const document = accepted(await this.shadows.get(thing, name, requestBody(request)), { thing, shadow: name });
        return documentReply(document, request.clientToken);
      }),
      this.bus.serve(shadow.update, async (request, { tokens: [thing, name] }) => {
        const document = accepted(await this.shadows.update(thing, name, updateBody(request)), { thing, shadow: name });
        return documentReply(document, request.clientToken);
      }),
      this.bus.serve(shadow.delete, async (request, { tokens: [thing, name] }) => {
        const deleted = accepted(await this.shadows.delete(thing, name, requestBody(request)), { thing, shadow: name });
        return { ...deleted, clientToken: request.clientToken };
      }),
    );
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all(this.#served.splice(0).map((unsubscribe) => unsubscribe()));
  }
}
