import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';

function capture() {
  const stream = new PassThrough();
  const lines: Record<string, unknown>[] = [];
  stream.on('data', (chunk: Buffer) => lines.push(JSON.parse(chunk.toString())));
  return { stream, lines };
}

describe('createLogger', () => {
  it('writes JSON lines with the service, a level word and an ISO time', () => {
    const { stream, lines } = capture();
    createLogger({ service: 'health-exporter', destination: stream }).info({ subject: 'lichen.evt.health' }, 'published');
    expect(lines[0]).toMatchObject({ service: 'health-exporter', level: 'info', subject: 'lichen.evt.health', msg: 'published' });
    expect(String(lines[0]?.time)).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('redacts secrets at the top level and one level down', () => {
    const { stream, lines } = capture();
    createLogger({ service: 's', destination: stream }).info({ password: 'hunter2', redis: { password: 'p', host: 'h' } }, 'x');
    expect(lines[0]).toMatchObject({ password: '[redacted]', redis: { password: '[redacted]', host: 'h' } });
    expect(JSON.stringify(lines[0])).not.toContain('hunter2');
  });
});
