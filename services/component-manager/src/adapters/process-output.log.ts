import { copyFile, open, stat, truncate } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';

const newline = 0x0a;
const chunkBytes = 64 * 1024;
/** A line this long without a newline is cut, so a component writing no newlines cannot grow memory. */
const maxLineBytes = 64 * 1024;

/** The previous file of `path`, kept by one rotation. */
export function rotatedPath(path: string): string {
  return `${path}.1`;
}

/**
 * Opens an output file for a child to write to directly. Files, not pipes: a component must outlive the manager,
 * and a pipe whose reader died would kill it with SIGPIPE at its next write. `a` is O_APPEND, which is what makes
 * rotation by copy-and-truncate safe: the child's next write lands at the new end, not at its old offset.
 */
export async function openOutput(path: string): Promise<FileHandle> {
  return open(path, 'a', 0o640);
}

/**
 * Keeps one output file under `maxBytes`: copies it to `<path>.1` (replacing the older one) and truncates it. The
 * child keeps its descriptor, so the file cannot be renamed away from it; what it writes between the copy and the
 * truncation is lost, as with logrotate's `copytruncate`.
 */
export async function rotateIfLarger(path: string, maxBytes: number): Promise<boolean> {
  const size = await stat(path).then(
    (s) => s.size,
    () => 0,
  );
  if (size <= maxBytes) return false;
  await copyFile(path, rotatedPath(path));
  await truncate(path, 0);
  return true;
}

async function readRange(path: string, start: number, end: number): Promise<Buffer> {
  if (end <= start) return Buffer.alloc(0);
  let handle: FileHandle | undefined;
  try {
    handle = await open(path, 'r');
    const buffer = Buffer.alloc(end - start);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, start);
    return buffer.subarray(0, bytesRead);
  } catch {
    return Buffer.alloc(0);
  } finally {
    await handle?.close();
  }
}

function splitLines(bytes: Buffer): { lines: string[]; rest: Buffer } {
  const lines: string[] = [];
  let start = 0;
  for (let at = bytes.indexOf(newline); at !== -1; at = bytes.indexOf(newline, start)) {
    lines.push(bytes.toString('utf8', start, at));
    start = at + 1;
  }
  return { lines, rest: bytes.subarray(start) };
}

/**
 * The last `count` complete lines of the first `size` bytes of a file, read back from the end in chunks until
 * the newline before the first wanted line is in hand, and the offset just past the last complete line.
 */
async function lastLinesOf(path: string, count: number, size: number): Promise<{ lines: string[]; endOfLines: number }> {
  let start = size;
  let bytes = Buffer.alloc(0);
  const newlines = (): number => bytes.reduce((sum, byte) => sum + (byte === newline ? 1 : 0), 0);
  while (start > 0 && newlines() <= count) {
    const from = Math.max(0, start - chunkBytes);
    bytes = Buffer.concat([await readRange(path, from, start), bytes]);
    start = from;
  }
  const last = bytes.lastIndexOf(newline);
  const lines = count > 0 ? splitLines(bytes.subarray(0, last + 1)).lines.slice(-count) : [];
  return { lines, endOfLines: start + last + 1 };
}

/** One output stream of a component, read as lines: its tail, then what is added, across rotations. */
export class OutputFile {
  #offset = 0;
  #partial: Buffer = Buffer.alloc(0);
  #rotatedMtime = 0;

  constructor(private readonly path: string) {}

  /** Its last `count` lines (from the rotated file too when the current one has fewer), and when it was written. */
  async tail(count: number): Promise<{ lines: string[]; time: Date; partial: string }> {
    const current = await stat(this.path).catch(() => undefined);
    const rotated = await stat(rotatedPath(this.path)).catch(() => undefined);
    this.#rotatedMtime = rotated?.mtimeMs ?? 0;
    const size = current?.size ?? 0;
    const { lines, endOfLines } = await lastLinesOf(this.path, count, size);
    if (lines.length < count && rotated) {
      const older = await lastLinesOf(rotatedPath(this.path), count - lines.length, rotated.size);
      lines.unshift(...older.lines);
    }
    this.#offset = endOfLines;
    const partial = (await readRange(this.path, endOfLines, size)).toString('utf8');
    return { lines, time: current?.mtime ?? new Date(), partial };
  }

  /** The lines completed since the last read. A rotation in between is noticed by the rotated file changing. */
  async readNew(): Promise<string[]> {
    const current = await stat(this.path).catch(() => undefined);
    const rotated = await stat(rotatedPath(this.path)).catch(() => undefined);
    const size = current?.size ?? 0;
    let bytes: Buffer;
    if ((rotated && rotated.mtimeMs !== this.#rotatedMtime) || size < this.#offset) {
      this.#rotatedMtime = rotated?.mtimeMs ?? 0;
      const rest = rotated ? await readRange(rotatedPath(this.path), this.#offset, rotated.size) : Buffer.alloc(0);
      bytes = Buffer.concat([this.#partial, rest, await readRange(this.path, 0, size)]);
    } else {
      bytes = Buffer.concat([this.#partial, await readRange(this.path, this.#offset, size)]);
    }
    this.#offset = size;
    const { lines, rest } = splitLines(bytes);
    this.#partial = rest;
    if (this.#partial.length >= maxLineBytes) {
      lines.push(this.#partial.toString('utf8'));
      this.#partial = Buffer.alloc(0);
    }
    return lines;
  }
}

/** Where a file ends now: a script's output is what lies past this once it exits. */
export async function sizeOf(path: string): Promise<number> {
  return stat(path).then(
    (s) => s.size,
    () => 0,
  );
}

/** The last `count` lines written to `path` since `offset` (from the start if it was rotated meanwhile). */
export async function linesSince(path: string, offset: number, count: number): Promise<string[]> {
  const size = await sizeOf(path);
  const from = size < offset ? 0 : offset;
  const bytes = await readRange(path, Math.max(from, size - 4096), size);
  return bytes
    .toString('utf8')
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line) => line.length > 0)
    .slice(-count);
}
