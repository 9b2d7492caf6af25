import { duration, secret, url, z } from '@lichen/config';
import { topicFilterProblem } from './domain/link/topic-filter.js';

const count = z.coerce.number({ error: 'expected a whole number' }).int('expected a whole number');

/** A comma-separated list; blanks are dropped. */
const list = z.string().transform((text) =>
  text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean),
);

/**
 * The sync agent's own `LICHEN_CLOUD_*` variables (see its README). Without `LICHEN_CLOUD_URL` the agent keeps
 * shadows and the spool on the device and says the link is disabled.
 */
export const syncAgentConfigShape = {
  /** The cloud broker: `mqtts://<endpoint>:8883` (AWS IoT Core), `mqtt://host:1883` for a local broker. */
  cloudUrl: url('mqtt', 'mqtts').optional(),
  /** The MQTT client id, and the thing name of the shadow and jobs topics; by default the device id. */
  cloudThingName: z
    .string()
    .regex(/^[A-Za-z0-9:_-]+$/, 'expected letters, digits, :, _ or - (an AWS IoT thing name)')
    .max(128, 'expected at most 128 characters')
    .optional(),
  cloudCaFile: z.string().min(1).optional(),
  cloudCertFile: z.string().min(1).optional(),
  cloudKeyFile: z.string().min(1).optional(),
  cloudUsername: z.string().min(1).optional(),
  cloudPassword: secret().optional(),
  /** `5` or `3.1.1`. */
  cloudProtocol: z.enum(['5', '3.1.1']).default('5'),
  cloudKeepalive: duration().default(60_000),
  /** Reconnect waits double from the first to the last, each with jitter, forever. */
  cloudReconnectMin: duration().default(1_000),
  cloudReconnectMax: duration().default(60_000),
  /** How long the broker keeps the session (and queues QoS 1 messages for the device) while it is away. */
  cloudSessionExpiry: duration().default(3_600_000),
  /** Spool messages sent and not yet confirmed by the broker, at most. */
  cloudMaxInflight: count.min(1, 'expected at least 1').max(65_535, 'expected at most 65535').default(1_000),
  /** Cloud topic filters whose messages are published on the bus as `cloud.in.<topic>`. */
  cloudSubscriptions: list
    .superRefine((filters, ctx) => {
      for (const filter of filters) {
        const problem = topicFilterProblem(filter);
        if (problem) ctx.addIssue({ code: 'custom', message: `topic filter "${filter}" ${problem}` });
      }
    })
    .default([]),
  /** Named shadows of the thing to sync even before they exist on the device (those that exist are synced anyway). */
  cloudShadows: list.default([]),
  /** Where the device's heartbeats go (`{thing}` is the thing name); `off`: not forwarded. */
  cloudHeartbeatTopic: z
    .string()
    .trim()
    .refine((topic) => !/[+#]/.test(topic), 'expected a topic without the wildcards + and #')
    .default('lichen/{thing}/heartbeat'),
};

export type SyncAgentConfig = Readonly<z.output<z.ZodObject<typeof syncAgentConfigShape>>>;
