import { duration, z } from '@lichen/config';

const runtimes = z.enum(['auto', 'docker', 'process', 'docker,process', 'process,docker']);
const count = z.coerce.number({ error: 'expected a whole number' }).int('expected a whole number');

/**
 * The component manager's own `LICHEN_*` variables (see its README). The restart and reconcile timings default
 * to Greengrass's; tests shrink them to run in seconds.
 */
export const managerConfigShape = {
  /** Which runtimes to use: `auto` is docker when an engine answers, and process always. */
  runtimes: runtimes.default('auto'),
  dockerSocket: z.string().startsWith('/', 'expected an absolute path').default('/var/run/docker.sock'),
  /** Where registry credentials are (`config.json`, as `docker login` writes it). */
  dockerConfig: z.string().startsWith('/', 'expected an absolute path').optional(),
  reconcileInterval: duration().pipe(z.number().min(100, 'expected at least 100ms')).default(5_000),
  restartBackoffBase: duration().default(10_000),
  restartBackoffMax: duration().default(300_000),
  restartMaxErrors: count.min(1, 'expected at least 1').default(3),
  restartErrorWindow: duration().default(3_600_000),
  restartResetAfter: duration().default(600_000),
  /** A component without a health check is healthy once it has run this long (a crash on start fails the gate). */
  healthSettle: duration().default(500),
  /**
   * The NATS URL components are given (LICHEN_NATS_URL in their environment); by default the one the runtime uses,
   * which a container on the host network reaches. In compose, a name the components' network resolves.
   */
  componentNatsUrl: z.string().optional(),
  startTimeout: duration().default(60_000),
  pullTimeout: duration().default(600_000),
  historyLimit: count.min(2, 'expected at least 2').default(50),
};

export type ManagerConfig = Readonly<z.output<z.ZodObject<typeof managerConfigShape>>>;
