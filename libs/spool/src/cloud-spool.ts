import type { DiscardPolicy, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import type { Bus, BusJetStream, Ensured } from '@lichen/bus';
import type { Logger } from '@lichen/logging';
import { cloudSpool } from '@lichen/contracts';

/**
 * How much the spool may hold before it drops its oldest messages (each drop is counted by the sync agent): the
 * host's `LICHEN_SPOOL_MAX_BYTES` (1 GiB) and `LICHEN_SPOOL_MAX_AGE` (7 days), shared by every service.
 */
export interface SpoolLimits {
  readonly maxBytes: number;
  readonly maxAgeMs: number;
}

/** The time window in which JetStream drops a second message with the same `Nats-Msg-Id`. */
const duplicateWindowMs = 120_000;

/**
 * The one definition of the device-to-cloud spool: a JetStream stream on `cloud.out.>` with file storage, so a
 * message it acknowledged survives a crash or a reboot; bounded by bytes and age, dropping the oldest when full.
 * Whichever service needs it first (router, sync agent) ensures it; ensuring again with the same limits is free.
 */
export function ensureCloudSpool(jetstream: BusJetStream, limits: SpoolLimits): Promise<Ensured<unknown>> {
  return jetstream.ensureStream({
    name: cloudSpool.stream,
    subjects: [cloudSpool.filter],
    // Type-only imports: JetStream's code is loaded by the bus when it is first used, not here.
    storage: 'file' as StorageType,
    retention: 'limits' as RetentionPolicy,
    discard: 'old' as DiscardPolicy,
    max_bytes: limits.maxBytes,
    max_age: limits.maxAgeMs * 1_000_000,
    duplicate_window: duplicateWindowMs * 1_000_000,
  });
}

/**
 * Ensures the spool on every connection to the bus (a NATS restarted with an empty store loses it), logging a
 * failure once per connection. Returns what stops it.
 */
export function keepCloudSpool(bus: Bus, logger: Logger, limits: SpoolLimits): () => void {
  const ensure = () =>
    ensureCloudSpool(bus.jetstream, limits).then(
      (ensured) => {
        if (ensured.action !== 'unchanged')
          logger.info({ stream: cloudSpool.stream, action: ensured.action }, 'cloud spool ready');
      },
      (error: Error) => logger.error({ stream: cloudSpool.stream, err: error.message }, 'cannot ensure the cloud spool'),
    );
  // Every connection is announced, the first one too; one already up is not.
  if (bus.connected) void ensure();
  return bus.onConnectionChange((connected) => {
    if (connected) void ensure();
  });
}
