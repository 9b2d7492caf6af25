import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { Bus, type Unsubscribe } from '@lichen/bus';
import { subjects } from '@lichen/contracts';
import { LichenError } from '@lichen/errors';
import { ComponentBook } from '../domain/component/component-book.js';
import { RuntimeSet } from '../domain/runtime/runtime-set.js';
import { ComponentSupervisor } from '../domain/supervision/component-supervisor.js';
import { componentToWire } from './status.mapper.js';

/** `lichen.components.*`: the components' states, restarts, logs and each component's config. */
@Injectable()
export class ComponentResponder implements OnApplicationBootstrap, OnModuleDestroy {
  readonly #served: Unsubscribe[] = [];
  readonly #streams = new AbortController();

  constructor(
    @Inject(Bus) private readonly bus: Bus,
    @Inject(ComponentBook) private readonly book: ComponentBook,
    @Inject(ComponentSupervisor) private readonly supervisor: ComponentSupervisor,
    @Inject(RuntimeSet) private readonly runtimes: RuntimeSet,
  ) {}

  onApplicationBootstrap(): void {
    const { component } = subjects;
    this.#served.push(
      this.bus.serve(component.list, () => ({ components: this.book.list().map(componentToWire) })),
      this.bus.serve(component.get, ({ name }) => componentToWire(this.#find(name))),
      this.bus.serve(component.restart, async ({ name }) => {
        this.#find(name);
        await this.supervisor.restart(name, AbortSignal.timeout(120_000));
        return componentToWire(this.#find(name));
      }),
      this.bus.serve(component.logs, ({ name, tail, follow }) => this.#logs(name, tail || 100, follow)),
      this.bus.serve(component.config, (_request, { tokens: [name = ''] }) => {
        const record = this.#find(name);
        return { component: name, config: record.spec.config, deployment: record.deployment };
      }),
    );
  }

  async onModuleDestroy(): Promise<void> {
    this.#streams.abort(new Error('the component manager is stopping'));
    await Promise.all(this.#served.splice(0).map((unsubscribe) => unsubscribe()));
  }

  async *#logs(name: string, tail: number, follow: boolean) {
    const record = this.#find(name);
    const runtime = this.runtimes.get(record.spec.runtime);
    for await (const entry of runtime.logs(name, { tail, follow, signal: this.#streams.signal })) {
      yield { component: name, stream: entry.stream, line: entry.line, time: timestampFromDate(entry.time) };
    }
  }

  #find(name: string) {
    const record = this.book.get(name);
    if (!record)
      throw new LichenError('COMPONENT_NOT_FOUND', 'not-found', `no component named ${JSON.stringify(name)} on this device`);
    return record;
  }
}
