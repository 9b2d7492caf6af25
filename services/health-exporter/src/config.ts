import { duration, z } from '@lichen/config';

/**
 * The health exporter's own `LICHEN_*` variables (see the service README); the device id, the bus, Redis and
 * the metrics endpoint are the runtime host's.
 */
export const exporterConfigShape = {
  heartbeatInterval: duration().pipe(z.number().min(100, 'expected at least 100ms')).default(30_000),
  probeTimeout: duration().default(1_000),
  procRoot: z.string().startsWith('/', 'expected an absolute path').default('/proc'),
  sysRoot: z.string().startsWith('/', 'expected an absolute path').default('/sys'),
  rootfs: z.string().startsWith('/', 'expected an absolute path').default('/'),
};

export type ExporterConfig = Readonly<z.output<z.ZodObject<typeof exporterConfigShape>>>;
