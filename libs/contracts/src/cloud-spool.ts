/**
 * Device-to-cloud messages: published on `cloud.out.<levels of the MQTT topic>`, captured by one JetStream stream
 * (file storage), forwarded by the sync agent to `<topic>`. Cloud-to-device messages arrive on `cloud.in.<levels>`.
 * A topic's `/` separators are the subject's dots, as NATS's own MQTT listener maps them.
 */
export const cloudSpool = {
  stream: 'LICHEN_CLOUD_OUT',
  prefix: 'cloud.out.',
  filter: 'cloud.out.>',
} as const;

export const cloudInbound = {
  prefix: 'cloud.in.',
  filter: 'cloud.in.>',
} as const;

/** The spool subject for a cloud topic: `factory/line-3/alerts` is `cloud.out.factory.line-3.alerts`. */
export function cloudOutSubject(topic: string): string {
  return cloudSpool.prefix + topic.replaceAll('/', '.');
}

/** The cloud topic a spool subject is forwarded to, or undefined for a subject outside the spool. */
export function cloudTopicOf(subject: string): string | undefined {
  if (!subject.startsWith(cloudSpool.prefix) || subject.length === cloudSpool.prefix.length) return undefined;
  return subject.slice(cloudSpool.prefix.length).replaceAll('.', '/');
}

/**
 * How far the sync agent has forwarded the spool: one small stream beside it (the last message on `subject` is
 * the cursor), so the cursor lives exactly as long as the spool does.
 */
export const spoolCursor = {
  stream: 'LICHEN_CLOUD_CURSOR',
  subject: 'lichen.sync.cursor',
} as const;

/**
 * The bus subject a cloud message arrives on: `factory/line-3/cmd` is `cloud.in.factory.line-3.cmd`. Undefined for
 * a topic with a level no subject token can hold (empty, or with a `.`, a space, `*` or `>`).
 */
export function cloudInSubject(topic: string): string | undefined {
  const levels = topic.split('/');
  if (levels.some((level) => !level || /[.\s*>]/.test(level))) return undefined;
  return cloudInbound.prefix + levels.join('.');
}

/**
 * The shadow token of a thing's classic (unnamed) shadow on the bus: `lichen.shadow.<thing>.$classic.get`. AWS IoT's
 * shadow names hold only letters, digits, `:`, `_` and `-`, so no named shadow can take it.
 */
export const CLASSIC_SHADOW = '$classic';
