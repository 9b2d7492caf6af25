import { PublishRefusedError, type CloudLink } from '../link/cloud-link.js';
import { ForwardWindow } from './forward-window.js';
import type { CursorStore, Spool, SpoolCursor, SpoolMessage } from './spool.js';

export interface SpoolForwarderOptions {
  readonly spool: Spool;
  readonly cursors: CursorStore;
  readonly link: CloudLink;
  /** The cloud topic of a spool subject (undefined: none a broker takes; counted as refused and passed). */
  readonly topicOf: (subject: string) => string | undefined;
  /** The id the cloud side drops duplicates by: unique on the device, the same each time a message is sent. */
  readonly messageId: (identity: string, seq: number) => string;
  readonly maxInFlight: number;
  readonly cursorSaveIntervalMs?: number;
  /** How often a pass checks that the spool is still the one it reads. */
  readonly identityCheckIntervalMs?: number;
  readonly retryDelayMs?: number;
  readonly log: (level: 'info' | 'warn' | 'error', event: string, fields: Record<string, unknown>) => void;
}

/** What forwarding has done since the agent started, for `/metrics` and `lichen cloud`. */
export interface ForwardCounts {
  forwarded: number;
  /** Dropped by the spool's bounds before they could be forwarded. */
  dropped: number;
  /** Refused by the broker (or not a cloud topic): counted and passed, as sending again would fail again. */
  refused: number;
  /** Sent again after a reconnect or a restart, so the cloud may have them twice. */
  duplicateSuspects: number;
}

/**
 * Forwards the spool to the cloud broker while the link is up: messages are read in spool order and published
 * with QoS 1, many in flight at once, and a message counts as forwarded only when the broker confirmed it. When
 * the link drops, reading stops and starts again from the cursor's floor on the next connection, so nothing is
 * skipped (what was in flight goes again: at least once). The cursor is saved beside the spool, so a crash or
 * a reboot resumes from it too.
 */
export class SpoolForwarder {
  readonly counts: ForwardCounts = { forwarded: 0, dropped: 0, refused: 0, duplicateSuspects: 0 };
  #window: ForwardWindow | undefined;
  #cursor: SpoolCursor | undefined;
  #savedCursor: SpoolCursor | undefined;
  #saving: Promise<void> = Promise.resolve();
  /** The highest sequence this run has sent, of which spool. */
  #sent: { identity: string; upTo: number } | undefined;
  #stopped = false;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #stopReading: (() => void) | undefined;

  constructor(private readonly options: SpoolForwarderOptions) {}

  /** Messages sent and not yet confirmed. */
  get inFlight(): number {
    return this.#window?.inFlight ?? 0;
  }

  /** Every message up to `floor` of the spool `identity` is settled; undefined before the cursor was read. */
  get position(): { identity: string; floor: number } | undefined {
    const cursor = this.#cursor;
    return cursor && { identity: cursor.identity, floor: this.#window?.floor ?? cursor.floor };
  }

  /** Messages in flight at once: ours, within what the broker takes (less room for shadow and jobs requests). */
  #capacity(): number {
    const limit = this.options.link.status.inFlightLimit;
    return limit === undefined ? this.options.maxInFlight : Math.max(1, Math.min(this.options.maxInFlight, limit - 4));
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#wake?.();
    this.#stopReading?.();
    await this.#loop;
  }

  async #run(): Promise<void> {
    const unwatch = this.options.link.onStatus(() => this.#wake?.());
    const saving = setInterval(() => void this.#saveCursor(), this.options.cursorSaveIntervalMs ?? 250);
    try {
      while (!this.#stopped) {
        if (this.options.link.status.state !== 'connected') {
          await this.#pause();
          continue;
        }
        try {
          await this.#forwardWhileLinked();
        } catch (error) {
          this.options.log('warn', 'spool forwarding interrupted, starting again', { reason: (error as Error).message });
          await this.#pause(this.options.retryDelayMs ?? 1_000);
        }
      }
    } finally {
      clearInterval(saving);
      unwatch();
      await this.#saveCursor();
    }
  }

  /**
   * One pass over the spool, from the floor on, until the link drops, the spool is made anew, or forwarding stops.
   */
  async #forwardWhileLinked(): Promise<void> {
    const { spool, link } = this.options;
    const cursor = await this.#currentCursor();
    const window = new ForwardWindow(cursor.floor, this.#capacity());
    this.#window = window;
    if (this.#stopped) return;
    const reading = await spool.read(cursor.floor + 1);
    let linkLost = false;
    const stopReading = () => {
      window.release();
      void reading.close();
    };
    this.#stopReading = stopReading;
    if (this.#stopped) stopReading();
    const unwatch = link.onStatus((status) => {
      if (status.state !== 'connected') {
        linkLost = true;
        stopReading();
      }
    });
    // A spool made anew (a NATS that lost its store) starts its sequences over: this pass's floor means nothing there.
    const watchingIdentity = setInterval(() => {
      spool.state().then(
        (state) => {
          if (state.identity === cursor.identity) return;
          this.options.log('warn', 'the spool was made anew while forwarding: starting from its beginning', {});
          stopReading();
        },
        () => undefined,
      );
    }, this.options.identityCheckIntervalMs ?? 5_000);
    const pending = new Set<Promise<void>>();
    // Sent before, this run (after a reconnect) or by a run that crashed (the saved reservation): sent again now.
    const sentBefore = this.#sent?.identity === cursor.identity ? this.#sent.upTo : cursor.sentUpTo;
    let reserved = Math.max(cursor.sentUpTo, this.#sent?.identity === cursor.identity ? this.#sent.upTo : 0);
    try {
      for await (const message of reading) {
        if (this.#stopped || linkLost) break;
        if (message.seq <= window.floor) continue;
        this.#countGap(window, message.seq);
        await window.room();
        if (this.#stopped || linkLost) break;
        if (message.seq > reserved) {
          // Saved before the messages go, so a crash cannot hide what it sends: a block of them at a time.
          reserved = message.seq + this.options.maxInFlight;
          this.#cursor = { identity: cursor.identity, floor: window.floor, sentUpTo: reserved };
          await this.#saveCursor();
        }
        if (message.seq <= sentBefore) this.counts.duplicateSuspects++;
        this.#sent = { identity: cursor.identity, upTo: Math.max(this.#sent?.upTo ?? 0, message.seq) };
        window.sent(message.seq);
        this.#cursor = { identity: cursor.identity, floor: window.floor, sentUpTo: reserved };
        const sending = this.#send(message, cursor.identity, window).catch(() => {
          linkLost = true;
          stopReading();
        });
        pending.add(sending);
        void sending.then(() => pending.delete(sending));
      }
    } finally {
      clearInterval(watchingIdentity);
      unwatch();
      this.#stopReading = undefined;
      await reading.close();
      await Promise.all(pending);
      // Nothing is in flight now: what was sent, not the reservation, is what the next run may send again.
      const sent = this.#sent?.identity === cursor.identity ? this.#sent.upTo : cursor.sentUpTo;
      this.#cursor = { identity: cursor.identity, floor: window.floor, sentUpTo: sent };
      await this.#saveCursor();
    }
  }

  /** Publishes one message; settles it when the broker confirms or refuses it, throws when the link dropped. */
  async #send(message: SpoolMessage, identity: string, window: ForwardWindow): Promise<void> {
    const topic = this.options.topicOf(message.subject);
    try {
      if (topic === undefined) throw new PublishRefusedError(`"${message.subject}" is not a topic a broker takes (a + or # in it)`);
      await this.options.link.publish(topic, message.data, { messageId: this.options.messageId(identity, message.seq) });
      this.counts.forwarded++;
    } catch (error) {
      if (!(error instanceof PublishRefusedError)) throw error;
      this.counts.refused++;
      this.options.log('error', 'message refused by the cloud broker, not sent again', {
        subject: message.subject,
        seq: message.seq,
        reason: error.reason,
      });
    }
    window.settle(message.seq);
    this.#cursor = { ...this.#cursor!, floor: window.floor };
  }

  /** A jump in sequence means the spool's bounds dropped messages before they were forwarded. */
  #countGap(window: ForwardWindow, seq: number): void {
    const expected = window.reached + 1;
    if (seq > expected) {
      this.counts.dropped += seq - expected;
      this.options.log('warn', 'the spool dropped messages before they were forwarded (its bounds were reached)', {
        from: expected,
        to: seq - 1,
      });
    }
    window.reach(seq);
  }

  /** The saved cursor, unless the spool was made anew since (its sequences then start over). */
  async #currentCursor(): Promise<SpoolCursor> {
    const state = await this.options.spool.state();
    const saved = this.#cursor ?? (await this.options.cursors.load());
    if (saved?.identity === state.identity) {
      this.#cursor = saved;
      this.#savedCursor ??= saved;
      return saved;
    }
    if (saved) this.options.log('warn', 'the spool was made anew: forwarding it from its start', { was: saved.identity });
    this.#cursor = { identity: state.identity, floor: 0, sentUpTo: 0 };
    return this.#cursor;
  }

  /** Saves the cursor when it moved; one save at a time, so an older cursor never overwrites a newer one. */
  #saveCursor(): Promise<void> {
    this.#saving = this.#saving.then(async () => {
      const cursor = this.#cursor;
      if (!cursor || cursor === this.#savedCursor) return;
      try {
        await this.options.cursors.save(cursor);
        this.#savedCursor = cursor;
      } catch (error) {
        this.options.log('warn', 'cannot save the spool cursor yet', { reason: (error as Error).message });
      }
    });
    return this.#saving;
  }

  #pause(ms?: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = ms === undefined ? undefined : setTimeout(done, ms);
      const wake = () => done();
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = wake;
    });
  }
}
