import type { Bus } from '@lichen/bus';
import type { Logger } from '@lichen/logging';
import { LichenHostError } from '../host.error.js';

/**
 * Checks an external NATS once the bus first connects. Without JetStream the spool and durable routes cannot
 * work: that stops Lichen. Without the monitoring endpoint only the NATS server metrics are missing: a warning.
 */
export async function checkExternalNats(bus: Bus, monitorUrl: string, logger: Logger): Promise<void> {
  // A bus closed before it ever connected is a stop during start-up, not a missing JetStream.
  if (
    !(await bus.ready.then(
      () => true,
      () => false,
    ))
  )
    return;
  const info = bus.connection?.info;
  if (info && !info.jetstream) {
    throw new LichenHostError(
      'NATS_WITHOUT_JETSTREAM',
      `the NATS server at LICHEN_NATS_URL (${info.server_name || info.host}) runs without JetStream, which Lichen's spool and durable routes need: start it with -js (or jetstream {} in its config)`,
    );
  }
  try {
    const response = await fetch(new URL('/varz', monitorUrl), { signal: AbortSignal.timeout(2_000) });
    if (!response.ok) throw new Error(`/varz answered ${response.status}`);
  } catch (error) {
    logger.warn(
      { natsMonitorUrl: monitorUrl, reason: (error as Error).message },
      'no NATS monitoring endpoint: NATS server metrics are unavailable (start nats-server with -m 8222, or set LICHEN_NATS_MONITOR_URL)',
    );
  }
}
