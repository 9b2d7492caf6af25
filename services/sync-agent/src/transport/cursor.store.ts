import type { StorageType } from '@nats-io/jetstream';
import type { Bus } from '@lichen/bus';
import { spoolCursor } from '@lichen/contracts';
import type { CursorStore, SpoolCursor } from '../domain/forward/spool.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * The forwarding cursor in a one-message stream on the same NATS as the spool (file storage): it survives what
 * the spool survives, and goes when the spool goes. A cursor that lags only means messages sent again.
 */
export class StreamCursorStore implements CursorStore {
  #ensured = false;

  constructor(private readonly bus: Bus) {}

  async load(): Promise<SpoolCursor | undefined> {
    await this.#ensure();
    const stored = await this.bus.jetstream.storedMessage(spoolCursor.stream, { lastOf: spoolCursor.subject });
    if (!stored) return undefined;
    const cursor = JSON.parse(decoder.decode(stored.data)) as Partial<SpoolCursor>;
    const valid =
      typeof cursor.identity === 'string' && Number.isSafeInteger(cursor.floor) && Number.isSafeInteger(cursor.sentUpTo);
    return valid ? (cursor as SpoolCursor) : undefined;
  }

  async save(cursor: SpoolCursor): Promise<void> {
    await this.#ensure();
    try {
      await this.bus.jetstream.publishDurable(spoolCursor.subject, encoder.encode(JSON.stringify(cursor)));
    } catch (error) {
      this.#ensured = false;
      throw error;
    }
  }

  /** Made on first use and again after a failure (a NATS restarted without its store). */
  async #ensure(): Promise<void> {
    if (this.#ensured) return;
    await this.bus.jetstream.ensureStream({
      name: spoolCursor.stream,
      subjects: [spoolCursor.subject],
      // A type-only import: JetStream's code is loaded by the bus on first use.
      storage: 'file' as StorageType,
      max_msgs_per_subject: 1,
    });
    this.#ensured = true;
  }
}
