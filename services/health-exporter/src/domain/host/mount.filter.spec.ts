import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { MountEntry } from './host-snapshot.js';
import { reportedMounts } from './mount.filter.js';
import { parseMounts } from './mounts.parser.js';

const sample = readFileSync(new URL('./samples/mounts.txt', import.meta.url), 'utf8');

const mount = (device: string, mountpoint: string, fstype: string): MountEntry => ({ device, mountpoint, fstype });

describe('reportedMounts', () => {
  it('keeps the disks of the recorded machine and drops its pseudo file systems', () => {
    expect(reportedMounts(parseMounts(sample))).toEqual([
      mount('/dev/vda', '/', 'ext4'),
      mount('/dev/vda', '/var/lib/docker', 'ext4'),
    ]);
  });

  it('drops what node_exporter drops by default on a typical edge box', () => {
    const kept = reportedMounts([
      mount('/dev/sda2', '/', 'ext4'),
      mount('/dev/sda1', '/boot/efi', 'vfat'),
      mount('tmpfs', '/run', 'tmpfs'),
      mount('/dev/loop3', '/snap/core22/1234', 'squashfs'),
      mount('overlay', '/var/lib/docker/overlay2/abc/merged', 'overlay'),
      mount('/dev/sda2', '/var/lib/docker/volumes/x', 'ext4'),
      mount('/dev/sda2', '/var/lib/containers/storage/overlay', 'ext4'),
      mount('ramfs', '/run/credentials/systemd-journald.service', 'ramfs'),
      mount('tmpfs', '/dev/shm', 'tmpfs'),
      mount('cgroup2', '/sys/fs/cgroup', 'cgroup2'),
      mount('nsfs', '/run/netns/x', 'nsfs'),
      mount('server:/export', '/mnt/nfs', 'nfs4'),
    ]);
    expect(kept.map((m) => m.mountpoint)).toEqual(['/', '/boot/efi', '/run', '/mnt/nfs']);
  });

  it('keeps /devices and /system, which only look like /dev and /sys', () => {
    const kept = reportedMounts([mount('/dev/sdb1', '/devices', 'ext4'), mount('/dev/sdc1', '/system', 'ext4')]);
    expect(kept).toHaveLength(2);
  });

  it('reports a device mounted twice at each mountpoint, and a stacked mountpoint once (the top mount)', () => {
    const kept = reportedMounts([
      mount('/dev/sdb1', '/data', 'ext4'),
      mount('/dev/sdb1', '/srv/data', 'ext4'),
      mount('/dev/sdc1', '/data', 'xfs'),
    ]);
    expect(kept).toEqual([mount('/dev/sdc1', '/data', 'xfs'), mount('/dev/sdb1', '/srv/data', 'ext4')]);
  });
});
