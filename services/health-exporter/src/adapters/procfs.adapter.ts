import type { StatsFs } from 'node:fs';
import { access, readdir, readFile, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import { HostReadError, type HostReader } from '../domain/host/host-reader.js';
import type { FilesystemStats, HostSnapshot, MountEntry, ThermalZone } from '../domain/host/host-snapshot.js';
import { parseLoadavg } from '../domain/host/loadavg.parser.js';
import { parseMeminfo } from '../domain/host/meminfo.parser.js';
import { reportedMounts } from '../domain/host/mount.filter.js';
import { parseMounts } from '../domain/host/mounts.parser.js';
import { parseNetDev } from '../domain/host/net-dev.parser.js';
import { parseStat } from '../domain/host/stat.parser.js';
import { parseThermalTemp } from '../domain/host/thermal.parser.js';
import { parseUptime } from '../domain/host/uptime.parser.js';

export interface ProcfsAdapterOptions {
  /** Where the host's /proc is visible; `/host/proc` in a container. */
  readonly procRoot?: string;
  /** Where the host's /sys is visible; `/host/sys` in a container. */
  readonly sysRoot?: string;
  /** Where the host's / is visible (mounted with rslave propagation so its sub-mounts show); `/host/root` in a container. */
  readonly rootfs?: string;
  /** How long one `statfs` may take before its mount is counted as an error and skipped while it hangs. */
  readonly statfsTimeoutMs?: number;
}

/** Reads the host from procfs and sysfs. The only code that touches those file systems. */
export class ProcfsAdapter implements HostReader {
  private readonly procRoot: string;
  private readonly sysRoot: string;
  private readonly rootfs: string;
  private readonly statfsTimeoutMs: number;
  /** A `statfs` of a hung network mount never returns; at most one per mountpoint is left waiting. */
  private readonly statfsCalls = new Map<string, { readonly started: number; readonly result: Promise<StatsFs> }>();

  constructor(options: ProcfsAdapterOptions = {}) {
    this.procRoot = options.procRoot ?? '/proc';
    this.sysRoot = options.sysRoot ?? '/sys';
    this.rootfs = options.rootfs ?? '/';
    this.statfsTimeoutMs = options.statfsTimeoutMs ?? 1_000;
  }

  /** Why the host cannot be read, for `/healthz`: a cheap look at one file, not a whole reading. */
  async problem(): Promise<string | undefined> {
    try {
      await access(join(this.procRoot, 'stat'));
      return undefined;
    } catch (error) {
      return `cannot read ${join(this.procRoot, 'stat')}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`;
    }
  }

  async read(): Promise<HostSnapshot> {
    const [stat, meminfo, loadavg, uptime, netDev, processCount, filesystems, thermalZones] = await Promise.all([
      this.readProc('stat'),
      this.readProc('meminfo'),
      this.readProc('loadavg'),
      this.readProc('uptime'),
      // pid 1's view is the host's network namespace even when this process runs in its own.
      this.readProc('1/net/dev', 'net/dev'),
      this.countProcesses(),
      this.readFilesystems(),
      this.readThermalZones(),
    ]);
    const kernel = parseStat(stat);
    return {
      cpus: kernel.cpus,
      load: parseLoadavg(loadavg),
      processes: {
        total: processCount,
        running: kernel.procsRunning,
        blocked: kernel.procsBlocked,
        forksTotal: kernel.forksTotal,
        contextSwitchesTotal: kernel.contextSwitchesTotal,
      },
      memory: parseMeminfo(meminfo),
      filesystems: filesystems.stats,
      filesystemErrors: filesystems.errors,
      network: parseNetDev(netDev),
      thermalZones,
      uptimeSeconds: parseUptime(uptime),
      bootTimeSeconds: kernel.bootTimeSeconds,
    };
  }

  /** Reads the first of `paths` (relative to the proc root) that can be read. */
  private async readProc(...paths: string[]): Promise<string> {
    let cause: unknown;
    for (const path of paths) {
      try {
        return await readFile(join(this.procRoot, path), 'utf8');
      } catch (error) {
        cause = error;
      }
    }
    throw new HostReadError(`cannot read ${paths.map((p) => join(this.procRoot, p)).join(' or ')}`, { cause });
  }

  private async countProcesses(): Promise<number> {
    try {
      return (await readdir(this.procRoot)).filter((name) => /^\d+$/.test(name)).length;
    } catch (cause) {
      throw new HostReadError(`cannot list ${this.procRoot}`, { cause });
    }
  }

  private async readFilesystems(): Promise<{ stats: FilesystemStats[]; errors: number }> {
    const mounts = reportedMounts(parseMounts(await this.readProc('1/mounts', 'mounts')));
    const results = await Promise.all(
      mounts.map((mount) =>
        this.statfs(join(this.rootfs, mount.mountpoint)).then(
          (fs) => toStats(mount, fs),
          () => undefined,
        ),
      ),
    );
    const stats = results.filter((result) => result !== undefined);
    return { stats, errors: results.length - stats.length };
  }

  private statfs(path: string): Promise<StatsFs> {
    let call = this.statfsCalls.get(path);
    if (!call) {
      const result = statfs(path);
      call = { started: Date.now(), result };
      this.statfsCalls.set(path, call);
      const forget = () => this.statfsCalls.delete(path);
      result.then(forget, forget);
    }
    const left = call.started + this.statfsTimeoutMs - Date.now();
    if (left <= 0) return Promise.reject(new Error(`statfs ${path} hangs`));
    return withTimeout(call.result, left, `statfs ${path} took over ${this.statfsTimeoutMs} ms`);
  }

  /** Many machines (most VMs) have no thermal zones; a zone whose files cannot be read is left out. */
  private async readThermalZones(): Promise<ThermalZone[]> {
    const dir = join(this.sysRoot, 'class/thermal');
    const names = await readdir(dir).catch(() => []);
    const zones = await Promise.all(
      names.map(async (name): Promise<ThermalZone | undefined> => {
        const zone = /^thermal_zone(\d+)$/.exec(name)?.[1];
        if (zone === undefined) return undefined;
        const read = (file: string) => readFile(join(dir, name, file), 'utf8');
        const [type, temp] = await Promise.all([read('type'), read('temp')]).catch(() => []);
        const celsius = temp === undefined ? undefined : parseThermalTemp(temp);
        return type === undefined || celsius === undefined ? undefined : { zone, type: type.trim(), celsius };
      }),
    );
    return zones.filter((zone) => zone !== undefined);
  }
}

function toStats(mount: MountEntry, fs: StatsFs): FilesystemStats {
  return {
    ...mount,
    sizeBytes: fs.blocks * fs.bsize,
    freeBytes: fs.bfree * fs.bsize,
    availBytes: fs.bavail * fs.bsize,
    files: fs.files,
    filesFree: fs.ffree,
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms).unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
