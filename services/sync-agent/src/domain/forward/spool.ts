/** A message captured by the spool, with its place in it. */
export interface SpoolMessage {
  readonly seq: number;
  readonly subject: string;
  readonly data: Uint8Array;
}

/** Messages from a place in the spool on, in order, as they arrive; closing ends the iteration. */
export interface SpoolReading extends AsyncIterable<SpoolMessage> {
  close(): Promise<void>;
}

/** What the spool holds now. `identity` changes when the spool is made anew (a NATS that lost its store). */
export interface SpoolState {
  readonly identity: string;
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly messages: number;
  readonly bytes: number;
}

/** The device-to-cloud spool (a JetStream stream), as the forwarder reads it. */
export interface Spool {
  state(): Promise<SpoolState>;
  read(fromSeq: number): Promise<SpoolReading>;
  /** When the message at `seq` was captured (ms since the epoch), or undefined when it is gone. */
  capturedAt(seq: number): Promise<number | undefined>;
}

/**
 * How far forwarding has come, kept beside the spool so it lasts exactly as long as the spool does: every message
 * up to `floor` is confirmed by the broker (or was dropped), and messages up to `sentUpTo` may have reached it
 * (saved ahead of the sends, so after a crash a message sent again is always counted as such).
 */
export interface SpoolCursor {
  readonly identity: string;
  readonly floor: number;
  readonly sentUpTo: number;
}

export interface CursorStore {
  load(): Promise<SpoolCursor | undefined>;
  save(cursor: SpoolCursor): Promise<void>;
}
