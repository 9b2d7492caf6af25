import type { JetStreamManager, StreamConfig, StreamInfo } from '@nats-io/jetstream';
import { changedKeys } from './config-diff.js';
import { isMissing, jetStreamFailure } from './jetstream-failure.js';
import type { JetStreamModule } from './jetstream-loader.js';

/** A stream's config as the caller wants it: the name, and any keys that matter (the rest stay as they are). */
export type StreamSettings = Partial<StreamConfig> & { name: string };

/** What an ensure call did, and the resource's info after it. `changed` lists the keys an update set. */
export interface Ensured<Info> {
  action: 'created' | 'updated' | 'unchanged';
  info: Info;
  changed: string[];
}

/**
 * Makes a stream look as `settings` says: creates it when missing, updates the keys that differ, and leaves it
 * alone when they are equal, so calling it at every start is free after the first. A change the server
 * refuses (the storage type, say) is a `BusError`.
 */
export async function ensureStream(
  js: JetStreamModule,
  jsm: JetStreamManager,
  settings: StreamSettings,
): Promise<Ensured<StreamInfo>> {
  const doing = `ensuring stream ${settings.name}`;
  try {
    const current = await jsm.streams.info(settings.name).catch((error: unknown) => {
      if (isMissing(js, error)) return undefined;
      throw error;
    });
    if (!current) return { action: 'created', info: await jsm.streams.add(settings), changed: [] };
    const changed = changedKeys(settings, current.config);
    if (!changed.length) return { action: 'unchanged', info: current, changed };
    const { name, ...update } = settings;
    return { action: 'updated', info: await jsm.streams.update(name, update), changed };
  } catch (error) {
    throw jetStreamFailure(js, doing, error);
  }
}
