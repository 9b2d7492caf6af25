import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import type { MessageInitShape } from '@bufbuild/protobuf';
import { ComponentState, DeploymentPhase, type ComponentStatusSchema, type DeploymentStatusSchema } from '@lichen/contracts';
import type { ComponentRecord } from '../domain/component/component-book.js';
import type { ComponentStateName } from '../domain/component/component-state.js';
import type { DeploymentRecord } from '../domain/deployment/deployment-record.js';

export function stateToWire(state: ComponentStateName | undefined): ComponentState {
  return state ? ComponentState[state] : ComponentState.UNSPECIFIED;
}

const timestamp = (iso: string | undefined) => (iso ? timestampFromDate(new Date(iso)) : undefined);

export function deploymentToWire(record: DeploymentRecord): MessageInitShape<typeof DeploymentStatusSchema> {
  return {
    id: record.id,
    name: record.name,
    revision: BigInt(record.revision),
    target: record.target,
    phase: DeploymentPhase[record.phase],
    reason: record.reason,
    components: Object.fromEntries(
      Object.entries(record.components).map(([name, progress]) => [
        name,
        { state: stateToWire(progress.state), action: progress.action, reason: progress.reason },
      ]),
    ),
    queuedAt: timestamp(record.queuedAt),
    startedAt: timestamp(record.startedAt),
    finishedAt: timestamp(record.finishedAt),
    rolledBackTo: record.rolledBackTo ?? '',
  };
}

export function componentToWire(record: ComponentRecord): MessageInitShape<typeof ComponentStatusSchema> {
  return {
    name: record.name,
    version: record.spec.version,
    runtime: record.spec.runtime,
    state: stateToWire(record.state),
    reason: record.reason,
    deployment: record.deployment,
    restarts: record.restarts,
    recentErrors: record.recentErrors,
    since: timestampFromDate(record.since),
    instance: record.instanceId ?? '',
    image: record.spec.image ?? '',
  };
}
