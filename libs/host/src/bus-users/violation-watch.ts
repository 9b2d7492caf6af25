import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import type { ViolationCounts } from './bus-authority.port.js';
import { parseViolation } from './violation-line.js';

/** How much of the log one look reads at most; the rest waits for the next look. */
const CHUNK_BYTES = 1 << 20;

/**
 * Follows nats-server's log (the file Lichen writes its output to) and counts the permission violations in it,
 * per user. Only what is written after the watch starts counts: the log also holds earlier runs.
 */
export class ViolationWatch {
  readonly #counts = new Map<string, ViolationCounts>();
  readonly #decoder = new StringDecoder('utf8');
  #offset: number;
  #partial = '';
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly logFile: string,
    private readonly intervalMs = 250,
  ) {
    this.#offset = sizeOf(logFile);
  }

  start(): void {
    // Unreferenced: watching the log never keeps the process alive.
    this.#timer ??= setInterval(() => this.#look(), this.intervalMs).unref();
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
    const size = sizeOf(this.logFile);
    // A log made shorter (truncated by someone) starts over.
    if (size < this.#offset) this.#offset = 0;
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
  }

  #count(line: string): void {
    const violation = parseViolation(line);
    if (!violation) return;
    const counts = this.#counts.get(violation.user) ?? { publish: 0, subscribe: 0 };
    counts[violation.kind] += 1;
    this.#counts.set(violation.user, counts);
  }
}

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}
