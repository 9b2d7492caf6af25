import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseNetDev } from './net-dev.parser.js';

const sample = readFileSync(new URL('./samples/net-dev.txt', import.meta.url), 'utf8');

describe('parseNetDev', () => {
  it('reads every interface, skipping the two header lines', () => {
    expect(parseNetDev(sample).map((i) => i.device)).toEqual(['lo', 'ifb0', 'ifb1', 'eth0', 'docker0']);
  });

  it('reads bytes, packets, errs and drop for each direction', () => {
    const eth0 = parseNetDev(sample).find((i) => i.device === 'eth0');
    expect(eth0).toEqual({
      device: 'eth0',
      receive: { bytes: 547770921, packets: 15606, errors: 0, drop: 0 },
      transmit: { bytes: 1158064, packets: 8931, errors: 0, drop: 0 },
    });
  });

  it('reads a 15-character name and a byte count glued to the colon', () => {
    const text = 'enp0s20f0u1u2c2: 1 2 3 4 0 0 0 0 5 6 7 8 0 0 0 0\n' + '  eth1:1234567890 2 3 4 0 0 0 0 5 6 7 8 0 0 0 0\n';
    expect(parseNetDev(text)).toEqual([
      {
        device: 'enp0s20f0u1u2c2',
        receive: { bytes: 1, packets: 2, errors: 3, drop: 4 },
        transmit: { bytes: 5, packets: 6, errors: 7, drop: 8 },
      },
      {
        device: 'eth1',
        receive: { bytes: 1234567890, packets: 2, errors: 3, drop: 4 },
        transmit: { bytes: 5, packets: 6, errors: 7, drop: 8 },
      },
    ]);
  });

  it('skips a malformed line and keeps the others', () => {
    const text =
      '  bad0: 1 2 3\n  bad1: 1 2 x 4 0 0 0 0 5 6 7 8 0 0 0 0\n: 1 2 3 4 0 0 0 0 5 6 7 8 0 0 0 0\n    lo: 9 1 0 0 0 0 0 0 9 1 0 0 0 0 0 0\n';
    expect(parseNetDev(text).map((i) => i.device)).toEqual(['lo']);
  });
});
