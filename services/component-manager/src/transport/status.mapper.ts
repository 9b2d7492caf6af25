import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { fromJson, type MessageInitShape } from '@bufbuild/protobuf';
import {
  ComponentState,
  DeploymentPhase,
  DeploymentSchema,
  type ComponentStatusSchema,
  type DeploymentStatusSchema,
  type DesiredDeploymentSchema,
} from '@lichen/contracts';
import type { ComponentRecord } from '../domain/component/component-book.js';
import type { ComponentStateName } from '../domain/component/component-state.js';
import type { DesiredDeployment } from '../domain/deployment/deployment-coordinator.js';
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

/** The desired deployment with its document as the proto message (the stored JSON is its proto3 JSON form). */
export function desiredToWire(desired: DesiredDeployment): MessageInitShape<typeof DesiredDeploymentSchema> {
  return {
    deploymentId: desired.id,
    document: desired.json ? fromJson(DeploymentSchema, desired.json, { ignoreUnknownFields: true }) : undefined,
  };
}
