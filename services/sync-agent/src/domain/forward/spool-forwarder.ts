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
  /** The pass under way; the cursor is read off it when saved, not kept per message. */
  #pass: Pass | undefined;
  /** The cursor between passes (and the last one read or saved). */
  #cursor: SpoolCursor | undefined;
  #savedCursor: SpoolCursor | undefined;
  #saving: Promise<void> = Promise.resolve();
  /** The highest sequence this run has sent, of the spool `#sentOf`. */
  #sentUpTo = 0;
  #sentOf: string | undefined;
  #stopped = false;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #stopReading: (() => void) | undefined;

  constructor(private readonly options: SpoolForwarderOptions) {}

  /** Messages sent and not yet confirmed. */
  get inFlight(): number {
    return this.#pass?.window.inFlight ?? 0;
  }

  /** Every message up to `floor` of the spool `identity` is settled; undefined before the cursor was read. */
  get position(): { identity: string; floor: number } | undefined {
    const cursor = this.#cursorNow();
    return cursor && { identity: cursor.identity, floor: cursor.floor };
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
    if (this.#stopped) return;
    const reading = await spool.read(cursor.floor + 1);
    const window = new ForwardWindow(cursor.floor, this.#capacity());
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
    // Sent before, this run (after a reconnect) or by a run that crashed (the saved reservation): sent again now.
    const sentBefore = this.#sentOf === cursor.identity ? this.#sentUpTo : cursor.sentUpTo;
    if (this.#sentOf !== cursor.identity) {
      this.#sentOf = cursor.identity;
      this.#sentUpTo = 0;
    }
    const pass: Pass = { identity: cursor.identity, window, reserved: Math.max(cursor.sentUpTo, this.#sentUpTo) };
    this.#pass = pass;
    const lost = () => {
      linkLost = true;
      stopReading();
    };
    try {
      for await (const message of reading) {
        if (this.#stopped || linkLost) break;
        const seq = message.seq;
        if (seq <= window.floor) continue;
        this.#countGap(window, seq);
        await window.room();
        if (this.#stopped || linkLost) break;
        if (seq > pass.reserved) {
          // Saved before the messages go, so a crash cannot hide what it sends: a block of them at a time.
          pass.reserved = seq + this.options.maxInFlight;
          await this.#saveCursor();
        }
        if (seq <= sentBefore) this.counts.duplicateSuspects++;
        if (seq > this.#sentUpTo) this.#sentUpTo = seq;
        window.sent(seq);
        this.#send(message, cursor.identity, window, lost);
      }
    } finally {
      clearInterval(watchingIdentity);
      unwatch();
      this.#stopReading = undefined;
      await reading.close();
      await window.drained();
      // Nothing is in flight now: what was sent, not the reservation, is what the next run may send again.
      this.#pass = undefined;
      this.#cursor = { identity: cursor.identity, floor: window.floor, sentUpTo: Math.max(this.#sentUpTo, cursor.sentUpTo) };
      await this.#saveCursor();
    }
  }

  /**
   * Publishes one message and settles it in the window when the broker confirms or refuses it; when the link
   * dropped first, leaves it unsettled (it goes again from the floor) and calls `lost`.
   */
  #send(message: SpoolMessage, identity: string, window: ForwardWindow, lost: () => void): void {
    const topic = this.options.topicOf(message.subject);
    const sending =
      topic === undefined
        ? Promise.reject(new PublishRefusedError(`"${message.subject}" is not a topic a broker takes (a + or # in it)`))
        : this.options.link.publish(topic, message.data, { messageId: this.options.messageId(identity, message.seq) });
    sending.then(
      () => {
        this.counts.forwarded++;
        window.settle(message.seq);
      },
      (error: unknown) => {
        if (!(error instanceof PublishRefusedError)) {
          window.abandon();
          lost();
          return;
        }
        this.counts.refused++;
        this.options.log('error', 'message refused by the cloud broker, not sent again', {
          subject: message.subject,
          seq: message.seq,
          reason: error.reason,
        });
        window.settle(message.seq);
      },
    );
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

  /** Messages in flight at once: ours, within what the broker takes (less room for shadow and jobs requests). */
  #capacity(): number {
    const limit = this.options.link.status.inFlightLimit;
    return limit === undefined ? this.options.maxInFlight : Math.max(1, Math.min(this.options.maxInFlight, limit - 4));
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

  /** The cursor as of now: read off the pass under way, else the one kept between passes. */
  #cursorNow(): SpoolCursor | undefined {
    const pass = this.#pass;
    return pass ? { identity: pass.identity, floor: pass.window.floor, sentUpTo: pass.reserved } : this.#cursor;
  }

  /** Saves the cursor when it moved; one save at a time, so an older cursor never overwrites a newer one. */
  #saveCursor(): Promise<void> {
    this.#saving = this.#saving.then(async () => {
      const cursor = this.#cursorNow();
      const saved = this.#savedCursor;
      if (!cursor || (saved && sameCursor(cursor, saved))) return;
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

/** A pass over the spool: which spool, its window, and how far sends are reserved in the saved cursor. */
interface Pass {
  readonly identity: string;
  readonly window: ForwardWindow;
  reserved: number;
}

function sameCursor(a: SpoolCursor, b: SpoolCursor): boolean {
  return a.identity === b.identity && a.floor === b.floor && a.sentUpTo === b.sentUpTo;
}
