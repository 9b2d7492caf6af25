import { closeSync, openSync, readSync, truncateSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import type { ViolationCounts } from './bus-authority.port.js';
import { fileSize } from './file-size.js';
import { parseViolation } from './violation-line.js';

/** How much of the log one look reads at most; the rest waits for the next look. */
const CHUNK_BYTES = 16 << 20;

/**
 * Follows nats-server's log (the file Lichen writes its output to) and counts the permission violations in it,
 * per user. Only what is written after the watch starts counts: the log also holds earlier runs.
 */
export class ViolationWatch {
  readonly #counts = new Map<string, ViolationCounts>();
  #decoder = new StringDecoder('utf8');
  #offset: number;
  #partial = '';
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly logFile: string,
    private readonly options: {
      intervalMs?: number;
      /**
       * Past this size, once read, the log is emptied: a component refused in a loop would otherwise fill the
       * disk the spool and Redis use. Only for a log Lichen owns (its own NATS's, written with O_APPEND, so
       * nats-server goes on writing from the start); lines written between the read and the truncation go uncounted.
       */
      truncateAtBytes?: number;
    } = {},
  ) {
    this.#offset = fileSize(logFile);
  }

  start(): void {
    // Unreferenced: watching the log never keeps the process alive.
    this.#timer ??= setInterval(() => this.#look(), this.options.intervalMs ?? 250).unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  of(user: string): ViolationCounts {
    return { ...(this.#counts.get(user) ?? { publish: 0, subscribe: 0 }) };
  }

  /** Every user refused at least once, with its counts. */
  all(): ReadonlyMap<string, ViolationCounts> {
    return this.#counts;
  }

  #look(): void {
    const size = fileSize(this.logFile);
    // A log made shorter (truncated by someone) starts over.
    if (size < this.#offset) this.#startOver();
    if (size === this.#offset) return;
    const buffer = Buffer.alloc(Math.min(size - this.#offset, CHUNK_BYTES));
    let fd: number | undefined;
    try {
      fd = openSync(this.logFile, 'r');
      this.#offset += readSync(fd, buffer, 0, buffer.length, this.#offset);
    } catch {
      return;
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
    const lines = (this.#partial + this.#decoder.write(buffer)).split('\n');
    this.#partial = lines.pop() ?? '';
    for (const line of lines) this.#count(line);
    const limit = this.options.truncateAtBytes;
    if (limit !== undefined && this.#offset >= limit) {
      try {
        truncateSync(this.logFile, 0);
        this.#startOver();
      } catch {
        // Gone or not writable: the next look tries again.
      }
    }
  }

  #startOver(): void {
    this.#offset = 0;
    this.#partial = '';
    this.#decoder = new StringDecoder('utf8');
  }

  #count(line: string): void {
    const violation = parseViolation(line);
    if (!violation) return;
    const counts = this.#counts.get(violation.user) ?? { publish: 0, subscribe: 0 };
    counts[violation.kind] += 1;
    this.#counts.set(violation.user, counts);
  }
}
