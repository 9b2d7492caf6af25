import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseMounts } from './mounts.parser.js';

const sample = readFileSync(new URL('./samples/mounts.txt', import.meta.url), 'utf8');

describe('parseMounts', () => {
  it('reads device, mountpoint and fstype of every line', () => {
    const mounts = parseMounts(sample);
    expect(mounts).toHaveLength(20);
    expect(mounts[0]).toEqual({ device: 'proc', mountpoint: '/proc', fstype: 'proc' });
    expect(mounts).toContainEqual({ device: '/dev/vda', mountpoint: '/', fstype: 'ext4' });
  });

  it('unescapes the octal escapes the kernel writes for spaces and backslashes', () => {
    expect(parseMounts('/dev/sdb1 /media/usb\\040stick\\134x vfat rw 0 0')).toEqual([
      { device: '/dev/sdb1', mountpoint: '/media/usb stick\\x', fstype: 'vfat' },
    ]);
  });

  it('skips a line with too few fields', () => {
    expect(parseMounts('garbage\n/dev/sda1 /boot\n\n/dev/sda2 /data xfs rw 0 0\n')).toEqual([
      { device: '/dev/sda2', mountpoint: '/data', fstype: 'xfs' },
    ]);
  });
});
