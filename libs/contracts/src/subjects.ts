import {
  ComponentConfigSchema,
  ComponentListSchema,
  ComponentLogsRequestSchema,
  ComponentStateEventSchema,
  ComponentStatusSchema,
  GetComponentConfigRequestSchema,
  GetComponentRequestSchema,
  ListComponentsRequestSchema,
  LogLineSchema,
  RestartComponentRequestSchema,
} from './gen/lichen/v1/component_pb.js';
import {
  ApplyDeploymentRequestSchema,
  CancelDeploymentRequestSchema,
  DeploymentListSchema,
  DeploymentStatusSchema,
  DesiredDeploymentSchema,
  GetDeploymentRequestSchema,
  GetDesiredDeploymentRequestSchema,
  ListDeploymentsRequestSchema,
  RollbackRequestSchema,
} from './gen/lichen/v1/deploy_pb.js';
import { GetHealthRequestSchema, HeartbeatSchema } from './gen/lichen/v1/health_pb.js';
import { InferReplySchema, InferRequestSchema, ListModelsRequestSchema, ModelListSchema } from './gen/lichen/v1/inference_pb.js';
import { CloudConnectionEventSchema, CloudStatusSchema, GetCloudStatusRequestSchema } from './gen/lichen/v1/cloud_pb.js';
import { ListRoutesRequestSchema, RouteListSchema } from './gen/lichen/v1/router_pb.js';
import {
  ShadowDeletedSchema,
  ShadowDeltaSchema,
  ShadowDocumentSchema,
  ShadowDocumentsSchema,
  ShadowRequestSchema,
  ShadowUpdateRequestSchema,
} from './gen/lichen/v1/shadow_pb.js';
import { eventSubject, requestSubject, type EventSubject, type RequestSubject } from './subject.js';

/** Every subject on the Lichen bus, with the message types it carries. The only place subjects are spelled. */
export const subjects = {
  health: {
    /** Every device answers: a fleet-wide (or bus-wide) roll call of heartbeats. */
    get: requestSubject('lichen.health.get', GetHealthRequestSchema, HeartbeatSchema, { fanOut: true }),
    /** One device answers, by its device id. */
    device: requestSubject<typeof GetHealthRequestSchema, typeof HeartbeatSchema, [device: string]>(
      'lichen.health.*.get',
      GetHealthRequestSchema,
      HeartbeatSchema,
    ),
    heartbeat: eventSubject('lichen.evt.health', HeartbeatSchema),
  },
  deploy: {
    /** Queue a deployment; the reply is its status (QUEUED), or the document's problems. */
    apply: requestSubject('lichen.deploy.apply', ApplyDeploymentRequestSchema, DeploymentStatusSchema),
    status: requestSubject('lichen.deploy.status', GetDeploymentRequestSchema, DeploymentStatusSchema),
    list: requestSubject('lichen.deploy.list', ListDeploymentsRequestSchema, DeploymentListSchema),
    cancel: requestSubject('lichen.deploy.cancel', CancelDeploymentRequestSchema, DeploymentStatusSchema),
    /** Queue a deployment that puts back the last one that succeeded before the current one. */
    rollback: requestSubject('lichen.deploy.rollback', RollbackRequestSchema, DeploymentStatusSchema),
    /** Every change of a deployment's status, the whole status each time. */
    progress: eventSubject<typeof DeploymentStatusSchema, [deployment: string]>('lichen.evt.deploy.*', DeploymentStatusSchema),
    /** The deployment the device converges to now, whose routes and models run. */
    desired: requestSubject('lichen.deploy.desired', GetDesiredDeploymentRequestSchema, DesiredDeploymentSchema),
    /** The desired deployment changed: one began, or a rollback put an earlier one back. */
    desiredChanged: eventSubject('lichen.evt.desired', DesiredDeploymentSchema),
  },
  routes: {
    /** The router's routes with their counters. */
    list: requestSubject('lichen.routes.list', ListRoutesRequestSchema, RouteListSchema),
  },
  inference: {
    /** Runs a model on named tensors: `lichen.infer.<model>`. */
    infer: requestSubject<typeof InferRequestSchema, typeof InferReplySchema, [model: string]>(
      'lichen.infer.*',
      InferRequestSchema,
      InferReplySchema,
    ),
    /** Every model on the device, with its inputs and outputs. */
    list: requestSubject('lichen.models.list', ListModelsRequestSchema, ModelListSchema),
  },
  cloud: {
    /** The sync agent's link to the cloud broker and its spool. */
    status: requestSubject('lichen.cloud.status', GetCloudStatusRequestSchema, CloudStatusSchema),
    /** Every change of the link's state. */
    connection: eventSubject('lichen.evt.cloud.connection', CloudConnectionEventSchema),
  },
  shadow: {
    get: requestSubject<typeof ShadowRequestSchema, typeof ShadowDocumentSchema, [thing: string, shadow: string]>(
      'lichen.shadow.*.*.get',
      ShadowRequestSchema,
      ShadowDocumentSchema,
    ),
    update: requestSubject<typeof ShadowUpdateRequestSchema, typeof ShadowDocumentSchema, [thing: string, shadow: string]>(
      'lichen.shadow.*.*.update',
      ShadowUpdateRequestSchema,
      ShadowDocumentSchema,
    ),
    delete: requestSubject<typeof ShadowRequestSchema, typeof ShadowDeletedSchema, [thing: string, shadow: string]>(
      'lichen.shadow.*.*.delete',
      ShadowRequestSchema,
      ShadowDeletedSchema,
    ),
    /** After an accepted update whose desired state differs from the reported one: what differs. */
    delta: eventSubject<typeof ShadowDeltaSchema, [thing: string, shadow: string]>(
      'lichen.evt.shadow.*.*.delta',
      ShadowDeltaSchema,
    ),
    /** After every accepted update or delete: the shadow before and after. */
    documents: eventSubject<typeof ShadowDocumentsSchema, [thing: string, shadow: string]>(
      'lichen.evt.shadow.*.*.documents',
      ShadowDocumentsSchema,
    ),
  },
  component: {
    state: eventSubject<typeof ComponentStateEventSchema, [component: string]>(
      'lichen.evt.component.*.state',
      ComponentStateEventSchema,
    ),
    list: requestSubject('lichen.components.list', ListComponentsRequestSchema, ComponentListSchema),
    get: requestSubject('lichen.components.get', GetComponentRequestSchema, ComponentStatusSchema),
    restart: requestSubject('lichen.components.restart', RestartComponentRequestSchema, ComponentStatusSchema),
    /** Streamed replies, one LogLine each, ended by the stream marker. */
    logs: requestSubject('lichen.components.logs', ComponentLogsRequestSchema, LogLineSchema),
    /** A component asks for its own config. */
    config: requestSubject<typeof GetComponentConfigRequestSchema, typeof ComponentConfigSchema, [component: string]>(
      'lichen.components.*.config',
      GetComponentConfigRequestSchema,
      ComponentConfigSchema,
    ),
    /** A deployment changed only the component's config. */
    configChanged: eventSubject<typeof ComponentConfigSchema, [component: string]>(
      'lichen.components.*.config.changed',
      ComponentConfigSchema,
    ),
  },
} as const;

const entries: readonly (RequestSubject | EventSubject)[] = Object.values(subjects).flatMap((group) => Object.values(group));

const requestSubjects: ReadonlyMap<string, RequestSubject> = new Map(
  entries.filter((entry): entry is RequestSubject => entry.kind === 'request').map((entry) => [entry.pattern, entry]),
);

const eventSubjects: ReadonlyMap<string, EventSubject> = new Map(
  entries.filter((entry): entry is EventSubject => entry.kind === 'event').map((entry) => [entry.pattern, entry]),
);

/** The request/reply contract served on `pattern`, if the map has one. */
export function findRequestSubject(pattern: string): RequestSubject | undefined {
  return requestSubjects.get(pattern);
}

/** The event contract listened to on `pattern`, if the map has one. */
export function findEventSubject(pattern: string): EventSubject | undefined {
  return eventSubjects.get(pattern);
}
