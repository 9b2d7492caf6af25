import type { ConsumerConfig, ConsumerInfo, JetStreamManager } from '@nats-io/jetstream';
import { changedKeys } from './config-diff.js';
import type { Ensured } from './ensure-stream.js';
import { isMissing, jetStreamFailure } from './jetstream-failure.js';
import type { JetStreamModule } from './jetstream-loader.js';

/** A durable consumer's config as the caller wants it; acknowledgements are explicit unless said otherwise. */
export type ConsumerSettings = Partial<ConsumerConfig> & { durable_name: string };

/**
 * Makes a durable consumer of `stream` look as `settings` says: creates it when missing, updates the keys that
 * differ, leaves it alone when they are equal. A missing stream, or a change the server refuses (the deliver
 * policy, say), is a `BusError`.
 */
export async function ensureConsumer(
  js: JetStreamModule,
  jsm: JetStreamManager,
  stream: string,
  settings: ConsumerSettings,
): Promise<Ensured<ConsumerInfo>> {
  const durable = settings.durable_name;
  const desired: ConsumerSettings = { ack_policy: 'explicit', ...settings };
  try {
    const current = await jsm.consumers.info(stream, durable).catch((error: unknown) => {
      if (isMissing(js, error) && (error as { code: number }).code === js.JetStreamApiCodes.ConsumerNotFound) return undefined;
      throw error;
    });
    if (!current) return { action: 'created', info: await jsm.consumers.add(stream, desired), changed: [] };
    const changed = changedKeys(desired, current.config);
    if (!changed.length) return { action: 'unchanged', info: current, changed };
    const update = Object.fromEntries(changed.map((key) => [key, desired[key as keyof ConsumerSettings]]));
    return { action: 'updated', info: await jsm.consumers.update(stream, durable, update), changed };
  } catch (error) {
    throw jetStreamFailure(js, `ensuring consumer ${durable} of stream ${stream}`, error);
  }
}
