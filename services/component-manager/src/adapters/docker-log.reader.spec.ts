import { describe, expect, it } from 'vitest';
import type { LogEntry } from '../domain/runtime/component-runtime.js';
import { readLogFrames } from './docker-log.reader.js';

function frame(stream: 1 | 2, payload: string): Buffer {
  const body = Buffer.from(payload, 'utf8');
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}

async function read(chunks: Buffer[]): Promise<LogEntry[]> {
  const entries: LogEntry[] = [];
  for await (const entry of readLogFrames(
    (async function* () {
      yield* chunks;
    })(),
  ))
    entries.push(entry);
  return entries;
}

describe('readLogFrames', () => {
  it('gives one entry per line with its stream and time, whatever the chunking', async () => {
    const bytes = Buffer.concat([
      frame(1, '2026-11-26T16:21:18.124676433Z hello\n'),
      frame(2, '2026-11-26T16:21:19.000000000Z oops\r\n'),
    ]);
    // Split inside the first header and inside the second payload.
    const entries = await read([bytes.subarray(0, 3), bytes.subarray(3, 50), bytes.subarray(50)]);
    expect(entries).toEqual([
      { stream: 'stdout', line: 'hello', time: new Date('2026-11-26T16:21:18.124Z') },
      { stream: 'stderr', line: 'oops', time: new Date('2026-11-26T16:21:19.000Z') },
    ]);
  });

  it('joins the parts of a long line and keeps a last line without a newline', async () => {
    const entries = await read([
      frame(1, '2026-11-26T16:00:00.000000000Z aaa'),
      frame(2, '2026-11-26T16:00:01.000000000Z err\n'),
      frame(1, '2026-11-26T16:00:02.000000000Z bbb\n'),
      frame(1, '2026-11-26T16:00:03.000000000Z tail'),
    ]);
    expect(entries.map(({ stream, line, time }) => [stream, line, time.toISOString()])).toEqual([
      ['stderr', 'err', '2026-11-26T16:00:01.000Z'],
      ['stdout', 'aaabbb', '2026-11-26T16:00:00.000Z'],
      ['stdout', 'tail', '2026-11-26T16:00:03.000Z'],
    ]);
  });
});
