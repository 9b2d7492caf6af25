import { describe, expect, it } from 'vitest';
import { readPayload, type PayloadSources } from './payload-argument.js';

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

const sources: PayloadSources = {
  file: async (path) => {
    if (path === 'frame.bin') return new Uint8Array([0xff, 0]);
    throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: 'ENOENT' });
  },
  stdin: async () => new TextEncoder().encode('from stdin'),
};

describe('readPayload', () => {
  it('takes any other argument as UTF-8 text, a lone @ included', async () => {
    expect(text(await readPayload('{"t":1}', sources))).toBe('{"t":1}');
    expect([...(await readPayload('°C', sources))]).toEqual([0xc2, 0xb0, 0x43]);
    expect(text(await readPayload('@', sources))).toBe('@');
  });

  it('reads a file for @path and stdin for -', async () => {
    expect([...(await readPayload('@frame.bin', sources))]).toEqual([0xff, 0]);
    expect(text(await readPayload('-', sources))).toBe('from stdin');
  });

  it('says which file it cannot read, and why, in words', async () => {
    await expect(readPayload('@missing.json', sources)).rejects.toThrow(
      'cannot read the payload from missing.json: no such file',
    );
  });
});
