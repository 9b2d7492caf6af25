import { hostname } from 'node:os';
import { duration, port, secret, url, z } from '@lichen/config';

/** `host:port`, as NATS's MQTT listener takes it. */
const listenAddress = z
  .string()
  .trim()
  .regex(/^[^\s:]+:\d{1,5}$/, 'expected host:port, e.g. 0.0.0.0:1883')
  .transform((text) => {
    const at = text.lastIndexOf(':');
    return { host: text.slice(0, at), port: Number(text.slice(at + 1)) };
  })
  .refine(({ port: value }) => value >= 1 && value <= 65535, 'expected a port from 1 to 65535');

/** A size in bytes: `1073741824`, or with a unit, `512MiB`, `1GiB`, `500MB`. */
const bytes = z
  .string()
  .trim()
  .transform((text, ctx) => {
    const match = /^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)?$/.exec(text);
    const units: Record<string, number> = {
      B: 1,
      KB: 1e3,
      MB: 1e6,
      GB: 1e9,
      TB: 1e12,
      KiB: 1024,
      MiB: 1024 ** 2,
      GiB: 1024 ** 3,
      TiB: 1024 ** 4,
    };
    if (!match) {
      ctx.addIssue({ code: 'custom', message: `expected a size like 512MiB, 1GiB or 500MB, got "${text}"` });
      return z.NEVER;
    }
    return Math.floor(Number(match[1]) * (units[match[2] ?? 'B'] ?? 1));
  });

/**
 * What every service in one process shares, each from a `LICHEN_*` variable: the device, where its data lives,
 * the bus and Redis (Lichen starts its own when no URL is given), the one metrics endpoint and the log level.
 */
export const hostConfigShape = {
  deviceId: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'expected letters, digits, _ or - (it is a NATS subject token)')
    .max(128, 'expected at most 128 characters')
    .default(hostname().replace(/[^A-Za-z0-9_-]/g, '-')),
  dataDir: z.string().min(1).default('.lichen'),
  natsUrl: url('nats', 'tls').optional(),
  natsMonitorUrl: url('http', 'https').optional(),
  natsUser: z.string().min(1).optional(),
  natsPassword: secret().optional(),
  natsToken: secret().optional(),
  natsNkeySeed: secret().optional(),
  natsCaFile: z.string().min(1).optional(),
  natsCertFile: z.string().min(1).optional(),
  natsKeyFile: z.string().min(1).optional(),
  /**
   * The users file that the NATS at LICHEN_NATS_URL includes, when Lichen is to manage its users (the compose file
   * shares it between the two containers): Lichen writes it, NATS reloads when it changes, every client logs in.
   */
  natsUsersFile: z.string().min(1).optional(),
  /** That NATS's log, where Lichen counts permission violations and reads why a reload failed. */
  natsLogFile: z.string().min(1).optional(),
  /**
   * A folder of service users, one file per user holding its password (a mounted Kubernetes Secret): Lichen
   * processes elsewhere (the chart's health exporters) that log in, with every subject, to the NATS whose users
   * Lichen writes.
   */
  natsServiceUsersDir: z.string().min(1).optional(),
  redisUrl: url('redis', 'rediss').optional(),
  metricsHost: z.string().min(1).default('0.0.0.0'),
  metricsPort: port().optional(),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  shutdownTimeout: duration().default(15_000),
  natsServerBin: z.string().min(1).default('nats-server'),
  /** NATS's MQTT listener for client devices, on Lichen's own NATS; off unless given. */
  mqttListen: listenAddress.optional(),
  /** The cloud spool's bounds (the router and the sync agent share them): past either, the oldest goes. */
  spoolMaxBytes: bytes.default(1024 ** 3),
  spoolMaxAge: duration().default(7 * 24 * 3_600_000),
  redisServerBin: z.string().min(1).default('redis-server'),
  /**
   * `memory` (V8's --optimize-for-size: the smallest idle process) or `throughput` (a larger young heap: less CPU per
   * message under load, the sync agent about half, the router about a fifth; about 30 MB more at rest). Read by
   * `lichen run` before the services load; checked here.
   */
  optimizeFor: z.enum(['memory', 'throughput']).default('memory'),
};

export type HostConfig = Readonly<z.output<z.ZodObject<typeof hostConfigShape>>>;

/**
 * Problems that no single variable shows: credentials that come in pairs, or exclude each other, and the users
 * file of an external NATS with what it needs. Read from which variables are set, so they are listed with the
 * others even when some value is malformed.
 */
export function hostConfigProblems(env: Readonly<Record<string, string | undefined>>): string[] {
  const set = (name: string) => Boolean(env[name]);
  const problems: string[] = [];
  if (set('LICHEN_NATS_USER') && !set('LICHEN_NATS_PASSWORD'))
    problems.push('LICHEN_NATS_PASSWORD: required with LICHEN_NATS_USER');
  if (set('LICHEN_NATS_PASSWORD') && !set('LICHEN_NATS_USER'))
    problems.push('LICHEN_NATS_USER: required with LICHEN_NATS_PASSWORD');
  const logins = ['LICHEN_NATS_USER', 'LICHEN_NATS_TOKEN', 'LICHEN_NATS_NKEY_SEED'].filter(set);
  if (logins.length > 1) problems.push(`${logins.join(', ')}: give one way to log in to NATS, not ${logins.length}`);
  if (set('LICHEN_NATS_CERT_FILE') !== set('LICHEN_NATS_KEY_FILE')) {
    problems.push('LICHEN_NATS_CERT_FILE, LICHEN_NATS_KEY_FILE: a client certificate needs both');
  }
  const credentials = logins.length > 0 || set('LICHEN_NATS_CA_FILE') || set('LICHEN_NATS_CERT_FILE');
  if (credentials && !set('LICHEN_NATS_URL'))
    problems.push('LICHEN_NATS_URL: NATS credentials were given but no server to use them with');
  if (set('LICHEN_NATS_USERS_FILE')) {
    if (!set('LICHEN_NATS_URL'))
      problems.push('LICHEN_NATS_URL: required with LICHEN_NATS_USERS_FILE (the NATS that includes it)');
    if (!set('LICHEN_NATS_MONITOR_URL'))
      problems.push('LICHEN_NATS_MONITOR_URL: required with LICHEN_NATS_USERS_FILE (where Lichen sees NATS reload it)');
    if (logins.length) problems.push(`${logins.join(', ')}: Lichen logs in as its own user to a NATS whose users file it writes`);
  } else if (set('LICHEN_NATS_LOG_FILE')) {
    problems.push(
      'LICHEN_NATS_USERS_FILE: required with LICHEN_NATS_LOG_FILE (the log is read on a NATS whose users Lichen writes)',
    );
  }
  if (set('LICHEN_NATS_SERVICE_USERS_DIR') && set('LICHEN_NATS_URL') && !set('LICHEN_NATS_USERS_FILE')) {
    problems.push(
      'LICHEN_NATS_USERS_FILE: required with LICHEN_NATS_SERVICE_USERS_DIR and LICHEN_NATS_URL (service users go into the users file Lichen writes)',
    );
  }
  return problems;
}
