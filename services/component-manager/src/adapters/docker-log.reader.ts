import type { LogEntry } from '../domain/runtime/component-runtime.js';

const HEADER_BYTES = 8;
const streams = { 1: 'stdout', 2: 'stderr' } as const;

/**
 * Turns the engine's multiplexed log output (`GET /containers/{id}/logs` of a container without a TTY) into
 * lines. Each frame is an 8-byte header (byte 0: 1 stdout, 2 stderr; bytes 4-7: payload length, big-endian)
 * and the payload; with `timestamps` on, the engine writes one message per frame, prefixed with its RFC 3339
 * time and a space. A message without a trailing newline (a partial line of a long one, or output not yet
 * ended) is held until its line ends, and given the time of its first part. Chunks may split frames anywhere.
 */
export async function* readLogFrames(chunks: AsyncIterable<Buffer | string>): AsyncGenerator<LogEntry> {
  let buffer = Buffer.alloc(0);
  const pending: Record<LogEntry['stream'], { text: string; time: Date } | undefined> = { stdout: undefined, stderr: undefined };

  for await (const chunk of chunks) {
    buffer = buffer.length === 0 ? Buffer.from(chunk) : Buffer.concat([buffer, Buffer.from(chunk)]);
    while (buffer.length >= HEADER_BYTES) {
      const length = buffer.readUInt32BE(4);
      if (buffer.length < HEADER_BYTES + length) break;
      const stream = streams[buffer[0] as 1 | 2];
      const payload = buffer.subarray(HEADER_BYTES, HEADER_BYTES + length).toString('utf8');
      buffer = buffer.subarray(HEADER_BYTES + length);
      if (!stream) continue; // stdin (0) is never sent back; anything else is not a log frame.
      const { time, text } = splitTimestamp(payload);
      const lines = ((pending[stream]?.text ?? '') + text).split('\n');
      const lineTime = pending[stream]?.time ?? time;
      const rest = lines.pop() ?? '';
      for (const line of lines) yield { stream, line: stripCarriageReturn(line), time: lineTime };
      pending[stream] = rest ? { text: rest, time: lines.length > 0 ? time : lineTime } : undefined;
    }
  }
  for (const stream of ['stdout', 'stderr'] as const) {
    const rest = pending[stream];
    if (rest) yield { stream, line: stripCarriageReturn(rest.text), time: rest.time };
  }
}

function splitTimestamp(payload: string): { time: Date; text: string } {
  const space = payload.indexOf(' ');
  if (space > 0) {
    const time = new Date(payload.slice(0, space));
    if (!Number.isNaN(time.getTime())) return { time, text: payload.slice(space + 1) };
  }
  return { time: new Date(), text: payload };
}

function stripCarriageReturn(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}
