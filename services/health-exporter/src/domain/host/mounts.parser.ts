import type { MountEntry } from './host-snapshot.js';

/**
 * Parses `/proc/mounts` (fstab format: device, mountpoint, fstype, options, dump, pass). The kernel escapes
 * space, tab, newline and backslash in paths as octal (`\040`); they are unescaped here. A line with fewer
 * than three fields is skipped.
 */
export function parseMounts(text: string): MountEntry[] {
  const mounts: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const [device, mountpoint, fstype] = line.trim().split(/\s+/);
    if (!device || !mountpoint || !fstype) continue;
    mounts.push({ device: unescapeOctal(device), mountpoint: unescapeOctal(mountpoint), fstype });
  }
  return mounts;
}

function unescapeOctal(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}
