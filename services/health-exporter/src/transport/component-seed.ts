import { timestampDate } from '@bufbuild/protobuf/wkt';
import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { Bus, BusError } from '@lichen/bus';
import { componentStateName, subjects, type ComponentStatus } from '@lichen/contracts';
import type { Logger } from '@lichen/logging';
import { ComponentStateBook, type ComponentStateSeed } from '../domain/components/component-state-book.js';
import { LOGGER } from '../tokens.js';

/** How long to keep asking: the component manager may start after the exporter (in another process, or later in this one). */
const SEED_WINDOW_MS = 30_000;
const FIRST_RETRY_MS = 500;
const LONGEST_RETRY_MS = 8_000;
const REQUEST_TIMEOUT_MS = 2_000;

/** Failures that mean "nobody answers yet": worth asking again. Anything else (an error reply) will not change. */
const RETRIED: ReadonlySet<string> = new Set(['BUS_NO_RESPONDERS', 'BUS_TIMEOUT', 'BUS_NOT_CONNECTED', 'BUS_REQUEST_FAILED']);

/**
 * Fills the component-state book once the bus is connected, from `lichen.components.list`, so that a restarted
 * exporter reports the components' states before their next events. Asks again with backoff for about 30 s
 * while nobody answers; events heard in the meantime win over the list (see `ComponentStateBook.seed`).
 */
@Injectable()
export class ComponentSeed implements OnApplicationBootstrap, OnModuleDestroy {
  readonly #stop = new AbortController();

  constructor(
    @Inject(Bus) private readonly bus: Bus,
    @Inject(ComponentStateBook) private readonly book: ComponentStateBook,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    void this.seed();
  }

  onModuleDestroy(): void {
    this.#stop.abort();
  }

  async seed(): Promise<void> {
    const subject = subjects.component.list.pattern;
    try {
      await this.bus.ready;
    } catch {
      return; // closed before it ever connected
    }
    const deadline = Date.now() + SEED_WINDOW_MS;
    for (let attempt = 0; !this.#stop.signal.aborted; attempt++) {
      try {
        const list = await this.bus.request(subjects.component.list, {}, { timeoutMs: REQUEST_TIMEOUT_MS });
        if (this.#stop.signal.aborted) return;
        this.book.seed(list.components.map(toSeed));
        this.logger.debug({ subject, components: list.components.length }, 'component states seeded');
        return;
      } catch (error) {
        const code = error instanceof BusError ? error.code : undefined;
        if (!code || !RETRIED.has(code)) {
          this.logger.warn({ err: error, subject }, 'component states not seeded; they come from events only');
          return;
        }
        if (attempt === 0) {
          this.logger.debug(
            { subject, reason: code },
            `no component list yet; asking again for up to ${SEED_WINDOW_MS / 1_000} s`,
          );
        }
        const delay = Math.min(FIRST_RETRY_MS * 2 ** attempt, LONGEST_RETRY_MS);
        if (Date.now() + delay > deadline || !(await this.#pause(delay))) return;
      }
    }
  }

  /** Waits `ms`; false when the module stops meanwhile. */
  #pause(ms: number): Promise<boolean> {
    const signal = this.#stop.signal;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', stop);
        resolve(true);
      }, ms);
      const stop = () => {
        clearTimeout(timer);
        resolve(false);
      };
      signal.addEventListener('abort', stop, { once: true });
    });
  }
}

function toSeed(status: ComponentStatus): ComponentStateSeed {
  return {
    component: status.name,
    state: componentStateName(status.state),
    since: status.since ? timestampDate(status.since) : undefined,
  };
}
