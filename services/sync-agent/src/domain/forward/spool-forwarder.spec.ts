import { describe, expect, it } from 'vitest';
import { PublishRefusedError, type CloudLink, type LinkStatus, type PublishOptions } from '../link/cloud-link.js';
import { SpoolForwarder } from './spool-forwarder.js';
import type { CursorStore, Spool, SpoolCursor, SpoolMessage, SpoolReading, SpoolState } from './spool.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));
async function until(condition: () => boolean, what: string, ms = 0): Promise<void> {
  const deadline = Date.now() + ms;
  for (let i = 0; (i < 500 || Date.now() < deadline) && !condition(); i++)
    await (ms ? new Promise((r) => setTimeout(r, 5)) : tick());
  if (!condition()) throw new Error(`timed out waiting for ${what}`);
}

/** A spool in memory: messages by sequence; a reading yields from a sequence on and waits for more. */
class FakeSpool implements Spool {
  messages: SpoolMessage[] = [];
  identity = 'spool-1';
  #waiters = new Set<() => void>();

  add(...subjects: string[]): void {
    for (const subject of subjects) {
      const seq = (this.messages.at(-1)?.seq ?? 0) + 1;
      this.messages.push({ seq, subject, data: bytes(`m${seq}`) });
    }
    this.#waiters.forEach((wake) => wake());
  }

  /** The spool's bounds dropped its oldest messages. */
  dropOldest(count: number): void {
    this.messages.splice(0, count);
  }

  async state(): Promise<SpoolState> {
    const last = this.messages.at(-1)?.seq ?? 0;
    return {
      identity: this.identity,
      firstSeq: this.messages[0]?.seq ?? last + 1,
      lastSeq: last,
      messages: this.messages.length,
      bytes: 0,
    };
  }

  async read(fromSeq: number): Promise<SpoolReading> {
    let closed = false;
    let wake: (() => void) | undefined;
    const messageFrom = (seq: number) => this.messages.find((candidate) => candidate.seq >= seq);
    const waiters = this.#waiters;
    return {
      async *[Symbol.asyncIterator]() {
        let next = fromSeq;
        while (!closed) {
          const message = messageFrom(next);
          if (message) {
            next = message.seq + 1;
            yield message;
            continue;
          }
          await new Promise<void>((resolve) => {
            wake = resolve;
            waiters.add(resolve);
          });
          waiters.delete(wake!);
        }
      },
      close: async () => {
        closed = true;
        wake?.();
      },
    };
  }

  async capturedAt(): Promise<number | undefined> {
    return undefined;
  }
}

class FakeCursors implements CursorStore {
  saved: SpoolCursor | undefined;
  async load() {
    return this.saved;
  }
  async save(cursor: SpoolCursor) {
    this.saved = cursor;
  }
}

/** A broker link whose PUBACKs the test gives, one by one or all at once. */
class FakeLink implements CloudLink {
  status: LinkStatus = { state: 'connected', since: 0 };
  sent: { topic: string; payload: string; id?: string }[] = [];
  refuse = new Set<string>();
  #waiting: { resolve: () => void; reject: (error: Error) => void; topic: string }[] = [];
  #listeners = new Set<(status: LinkStatus) => void>();

  onStatus(listener: (status: LinkStatus) => void) {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  publish(topic: string, payload: Uint8Array, options?: PublishOptions): Promise<void> {
    if (this.status.state !== 'connected') return Promise.reject(new Error('down'));
    this.sent.push({ topic, payload: new TextDecoder().decode(payload), id: options?.messageId });
    return new Promise((resolve, reject) => this.#waiting.push({ resolve, reject, topic }));
  }

  subscribe() {
    return () => undefined;
  }

  get unconfirmed(): number {
    return this.#waiting.length;
  }

  /** PUBACKs for the oldest `count` messages waiting (all by default). */
  confirm(count = this.#waiting.length): void {
    for (const waiting of this.#waiting.splice(0, count)) {
      if (this.refuse.has(waiting.topic)) waiting.reject(new PublishRefusedError('not authorized'));
      else waiting.resolve();
    }
  }

  set(state: LinkStatus['state']): void {
    this.status = { state, since: 0 };
    if (state !== 'connected') this.#waiting.splice(0).forEach((waiting) => waiting.reject(new Error('connection closed')));
    this.#listeners.forEach((listener) => listener(this.status));
  }
}

function setup(options: { maxInFlight?: number; cursorSaveIntervalMs?: number } = {}) {
  const spool = new FakeSpool();
  const cursors = new FakeCursors();
  const link = new FakeLink();
  const logs: string[] = [];
  const make = (through: FakeLink = link) =>
    new SpoolForwarder({
      spool,
      cursors,
      link: through,
      topicOf: (subject) => (subject.startsWith('cloud.out.') ? subject.slice(10).replaceAll('.', '/') : undefined),
      messageId: (identity, seq) => `${identity}:${seq}`,
      maxInFlight: options.maxInFlight ?? 100,
      cursorSaveIntervalMs: options.cursorSaveIntervalMs ?? 5,
      identityCheckIntervalMs: 10,
      retryDelayMs: 5,
      log: (_level, event) => logs.push(event),
    });
  return { spool, cursors, link, logs, make };
}

describe('SpoolForwarder', () => {
  it('publishes in spool order with many in flight, and moves the cursor only over confirmed messages', async () => {
    const { spool, cursors, link, make } = setup({ maxInFlight: 3 });
    spool.add('cloud.out.a', 'cloud.out.b', 'cloud.out.a', 'cloud.out.c', 'cloud.out.a');
    const forwarder = make();
    forwarder.start();
    await until(() => link.sent.length === 3, 'three messages in flight');
    await tick();
    expect(link.sent.length).toBe(3);
    expect(forwarder.inFlight).toBe(3);
    link.confirm(2);
    await until(() => link.sent.length === 5, 'the rest');
    expect(link.sent.map(({ topic, payload, id }) => `${topic} ${payload} ${id}`)).toEqual([
      'a m1 spool-1:1',
      'b m2 spool-1:2',
      'a m3 spool-1:3',
      'c m4 spool-1:4',
      'a m5 spool-1:5',
    ]);
    expect(forwarder.position).toEqual({ identity: 'spool-1', floor: 2 });
    link.confirm();
    await until(() => forwarder.counts.forwarded === 5, 'every confirmation');
    await forwarder.stop();
    // At the end nothing is in flight: what was sent is saved, not the reservation made a window ahead.
    expect(cursors.saved).toEqual({ identity: 'spool-1', floor: 5, sentUpTo: 5 });
  });

  it('sends again from the first unconfirmed message when the link drops, counting the duplicates it may make', async () => {
    const { spool, link, make } = setup();
    spool.add('cloud.out.a', 'cloud.out.a', 'cloud.out.a');
    const forwarder = make();
    forwarder.start();
    await until(() => link.sent.length === 3, 'three sent');
    link.confirm(1);
    link.set('disconnected');
    spool.add('cloud.out.a');
    await tick();
    expect(link.sent.length).toBe(3);
    link.sent = [];
    link.set('connected');
    await until(() => link.sent.length === 3, 'the unconfirmed two and the new one');
    expect(link.sent.map(({ payload }) => payload)).toEqual(['m2', 'm3', 'm4']);
    link.confirm();
    await until(() => forwarder.counts.forwarded === 4, 'all confirmed');
    expect(forwarder.counts.duplicateSuspects).toBe(2);
    await forwarder.stop();
  });

  it('goes on from the saved cursor after a restart: nothing confirmed goes again, what was in flight does', async () => {
    const { spool, cursors, link, make } = setup();
    spool.add('cloud.out.a', 'cloud.out.a', 'cloud.out.a', 'cloud.out.a');
    cursors.saved = { identity: 'spool-1', floor: 2, sentUpTo: 3 };
    const forwarder = make();
    forwarder.start();
    await until(() => link.sent.length === 2, 'the two after the floor');
    expect(link.sent.map(({ payload }) => payload)).toEqual(['m3', 'm4']);
    link.confirm();
    await until(() => forwarder.counts.forwarded === 2, 'confirmed');
    expect(forwarder.counts.duplicateSuspects).toBe(1);
    await forwarder.stop();
  });

  it('counts every message a crashed run had sent as sent again, though its last sends were never saved', async () => {
    // No periodic save in time: only what is saved before the sends tells the next run.
    const { spool, cursors, make } = setup({ cursorSaveIntervalMs: 60_000 });
    spool.add('cloud.out.a', 'cloud.out.a', 'cloud.out.a');
    const crashing = new FakeLink();
    const first = make(crashing);
    first.start();
    await until(() => crashing.sent.length === 3, 'three sent, none confirmed');
    // The run dies here: what it saved is all the next one knows.
    const after = new FakeLink();
    const second = make(after);
    second.start();
    await until(() => after.sent.length === 3, 'the three again');
    after.confirm();
    await until(() => second.counts.forwarded === 3, 'confirmed');
    expect(second.counts.duplicateSuspects).toBe(3);
    await second.stop();
    expect(cursors.saved?.floor).toBe(3);
    crashing.set('disconnected');
    await first.stop();
  });

  it('counts nothing as sent again after a clean stop', async () => {
    const { spool, link, make } = setup();
    spool.add('cloud.out.a', 'cloud.out.a');
    const first = make();
    first.start();
    await until(() => link.sent.length === 2, 'both sent');
    link.confirm();
    await until(() => first.counts.forwarded === 2, 'confirmed');
    await first.stop();
    spool.add('cloud.out.a');
    const second = make();
    second.start();
    await until(() => link.sent.length === 3, 'the new one');
    link.confirm();
    await until(() => second.counts.forwarded === 1, 'confirmed');
    expect(second.counts.duplicateSuspects).toBe(0);
    await second.stop();
  });

  it('starts from the beginning of a spool made anew while it forwards, with the link up all along', async () => {
    const { spool, link, logs, make } = setup();
    spool.add('cloud.out.a', 'cloud.out.a', 'cloud.out.a');
    const forwarder = make();
    forwarder.start();
    await until(() => link.sent.length === 3, 'the old spool sent');
    link.confirm();
    await until(() => forwarder.counts.forwarded === 3, 'confirmed');
    spool.identity = 'spool-2';
    spool.messages = [];
    spool.add('cloud.out.new');
    await until(() => link.sent.length === 4, 'the new spool sent', 2_000);
    expect(link.sent.at(-1)).toMatchObject({ topic: 'new', id: 'spool-2:1' });
    expect(logs).toContain('the spool was made anew while forwarding: starting from its beginning');
    link.confirm();
    await forwarder.stop();
  });

  it('stops at once when asked while it starts a pass', async () => {
    const { make } = setup();
    const forwarder = make();
    forwarder.start();
    await forwarder.stop();
  });

  it('forwards a spool made anew from its start, whatever the old cursor said', async () => {
    const { spool, cursors, link, logs, make } = setup();
    cursors.saved = { identity: 'older-spool', floor: 40, sentUpTo: 40 };
    spool.add('cloud.out.a', 'cloud.out.a');
    const forwarder = make();
    forwarder.start();
    await until(() => link.sent.length === 2, 'both sent');
    expect(logs).toContain('the spool was made anew: forwarding it from its start');
    link.confirm();
    await forwarder.stop();
  });

  it("counts messages the spool's bounds dropped before they were forwarded, once", async () => {
    const { spool, link, make } = setup();
    const forwarder = make();
    link.set('disconnected');
    forwarder.start();
    spool.add('cloud.out.a', 'cloud.out.a', 'cloud.out.a', 'cloud.out.a', 'cloud.out.a');
    spool.dropOldest(3);
    link.set('connected');
    await until(() => link.sent.length === 2, 'what is left');
    expect(forwarder.counts.dropped).toBe(3);
    link.set('disconnected');
    link.set('connected');
    await until(() => link.sent.length === 4, 'the two again');
    link.confirm();
    await until(() => forwarder.counts.forwarded === 2, 'confirmed');
    expect(forwarder.counts.dropped).toBe(3);
    await forwarder.stop();
  });

  it('passes over a message the broker refuses, counting it, and goes on', async () => {
    const { spool, link, cursors, make } = setup();
    link.refuse.add('forbidden');
    spool.add('cloud.out.ok', 'cloud.out.forbidden', 'cloud.out.ok');
    const forwarder = make();
    forwarder.start();
    await until(() => link.sent.length === 3, 'all three sent');
    link.confirm();
    await until(() => forwarder.counts.forwarded === 2, 'the two allowed');
    expect(forwarder.counts.refused).toBe(1);
    await forwarder.stop();
    expect(cursors.saved?.floor).toBe(3);
  });

  it('waits while the link is down, and sends what was spooled meanwhile once it is up', async () => {
    const { spool, link, make } = setup();
    link.set('disconnected');
    const forwarder = make();
    forwarder.start();
    spool.add('cloud.out.a');
    await tick();
    expect(link.sent).toEqual([]);
    link.set('connected');
    await until(() => link.sent.length === 1, 'the spooled message');
    link.confirm();
    await forwarder.stop();
  });
});
