import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import type { Bus } from '@lichen/bus';
import { subjects } from '@lichen/contracts';
import type { Logger } from '@lichen/logging';
import type { StateTransition } from '../domain/component/component-book.js';
import type { ComponentSpec } from '../domain/component/component-spec.js';
import type { DeploymentRecord } from '../domain/deployment/deployment-record.js';
import type { DesiredDeployment } from '../domain/deployment/deployment-coordinator.js';
import { deploymentToWire, desiredToWire, stateToWire } from './status.mapper.js';

/**
 * Publishes what happens on the device: each deployment's status at every change (`lichen.evt.deploy.<id>`), the
 * deployment whose routes and models run (`lichen.evt.desired`),
 * each component's transitions (`lichen.evt.component.<name>.state`) and config changes. A publish while the bus
 * is down is dropped with one log line: the state stays queryable with `lichen.deploy.status` and the lists.
 */
export class BusReporter {
  constructor(
    private readonly bus: Bus,
    private readonly logger: Logger,
  ) {}

  deployment(record: DeploymentRecord): void {
    this.#publish(() => this.bus.publish(subjects.deploy.progress, [record.id], deploymentToWire(record)), {
      deployment: record.id,
    });
  }

  desired(desired: DesiredDeployment): void {
    this.#publish(() => this.bus.publish(subjects.deploy.desiredChanged, [], desiredToWire(desired)), { deployment: desired.id });
  }

  transition({ record, previous, removed }: StateTransition): void {
    this.#publish(
      () =>
        this.bus.publish(subjects.component.state, [record.name], {
          component: record.name,
          state: stateToWire(record.state),
          previousState: stateToWire(previous),
          reason: record.reason,
          deployment: record.deployment,
          time: timestampFromDate(record.since),
          removed,
        }),
      { component: record.name },
    );
  }

  async config(spec: ComponentSpec, deployment: string): Promise<void> {
    this.#publish(
      () =>
        this.bus.publish(subjects.component.configChanged, [spec.name], {
          component: spec.name,
          config: spec.config,
          deployment,
        }),
      { component: spec.name },
    );
  }

  #publish(send: () => void, fields: Record<string, string>): void {
    try {
      send();
    } catch (error) {
      this.logger.warn({ ...fields, err: (error as Error).message }, 'event not published');
    }
  }
}
