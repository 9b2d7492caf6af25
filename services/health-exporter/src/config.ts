import { hostname } from 'node:os';
import { duration, loadConfig, port, url, z } from '@lichen/config';

/** Everything the health exporter can be told, each from a `LICHEN_*` variable (see the service README). */
export const exporterConfigShape = {
  deviceId: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+$/, 'expected letters, digits, ., _ or -')
    .default(hostname().replace(/[^A-Za-z0-9_.-]/g, '-')),
  natsUrl: url('nats', 'tls').default('nats://127.0.0.1:4222'),
  natsMonitorUrl: url('http', 'https').default('http://127.0.0.1:8222'),
  redisUrl: url('redis', 'rediss').default('redis://127.0.0.1:6379'),
  metricsHost: z.string().min(1).default('0.0.0.0'),
  metricsPort: port().default(9100),
  heartbeatInterval: duration().pipe(z.number().min(100, 'expected at least 100ms')).default(30_000),
  probeTimeout: duration().default(1_000),
  procRoot: z.string().startsWith('/', 'expected an absolute path').default('/proc'),
  sysRoot: z.string().startsWith('/', 'expected an absolute path').default('/sys'),
  rootfs: z.string().startsWith('/', 'expected an absolute path').default('/'),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
};

export type ExporterConfig = ReturnType<typeof loadExporterConfig>;

export function loadExporterConfig(env?: Readonly<Record<string, string | undefined>>) {
  return loadConfig(exporterConfigShape, env);
}
