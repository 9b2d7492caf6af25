import type { MountEntry } from './host-snapshot.js';

/** node_exporter's default `--collector.filesystem.fs-types-exclude`: file systems with no disk behind them. */
const IGNORED_FSTYPES =
  /^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|erofs|sysfs|tracefs)$/;

/** node_exporter's default `--collector.filesystem.mount-points-exclude`. */
const IGNORED_MOUNTPOINTS = /^\/(dev|proc|run\/credentials\/.+|sys|var\/lib\/docker\/.+|var\/lib\/containers\/storage\/.+)($|\/)/;

/**
 * The mounts worth a `statfs`, pseudo file systems left out the way node_exporter does by default.
 * A device mounted at two mountpoints is reported at both. When several mounts stack on one mountpoint,
 * only the last is kept: it is the one a `statfs` of that path sees.
 */
export function reportedMounts(mounts: readonly MountEntry[]): MountEntry[] {
  const byMountpoint = new Map<string, MountEntry>();
  for (const mount of mounts) {
    if (IGNORED_FSTYPES.test(mount.fstype) || IGNORED_MOUNTPOINTS.test(mount.mountpoint)) continue;
    byMountpoint.set(mount.mountpoint, mount);
  }
  return [...byMountpoint.values()];
}
