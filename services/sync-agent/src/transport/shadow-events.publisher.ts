import type { OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { Bus } from '@lichen/bus';
import { subjects } from '@lichen/contracts';
import type { Logger } from '@lichen/logging';
import type { LocalShadows } from '../domain/shadow/local-shadows.js';
import type { ShadowChange } from '../domain/shadow/shadow-change.js';
import { deltaEvent, documentsEvent } from './shadow.wire.js';

/**
 * Publishes every accepted shadow change on the bus, as AWS IoT does on its shadow topics: `.documents` (before and
 * after) always, `.delta` when the update wrote `desired` and the shadow now asks for something `reported` does not
 * say. The change is stored before; with the bus down its events are lost, said once until they go out again.
 */
export class ShadowEventsPublisher implements OnApplicationBootstrap, OnModuleDestroy {
  #stop: (() => void) | undefined;
  #failing = false;

  constructor(
    private readonly bus: Bus,
    private readonly shadows: LocalShadows,
    private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.#stop = this.shadows.onChange((change) => this.#publish(change));
  }

  onModuleDestroy(): void {
    this.#stop?.();
  }

  #publish(change: ShadowChange): void {
    const tokens: [string, string] = [change.thing, change.shadow];
    try {
      this.bus.publish(subjects.shadow.documents, tokens, documentsEvent(change));
      const delta = deltaEvent(change);
      if (delta) this.bus.publish(subjects.shadow.delta, tokens, delta);
      if (this.#failing) this.logger.info('shadow events published again');
      this.#failing = false;
    } catch (error) {
      if (!this.#failing) {
        this.logger.warn(
          { thing: change.thing, shadow: change.shadow, reason: error instanceof Error ? error.message : String(error) },
          'shadow events not published',
        );
      }
      this.#failing = true;
    }
  }
}
