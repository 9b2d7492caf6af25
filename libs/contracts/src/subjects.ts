import { ComponentStateEventSchema } from './gen/lichen/v1/component_pb.js';
import { GetHealthRequestSchema, HeartbeatSchema } from './gen/lichen/v1/health_pb.js';
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
  component: {
    state: eventSubject<typeof ComponentStateEventSchema, [component: string]>(
      'lichen.evt.component.*.state',
      ComponentStateEventSchema,
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
