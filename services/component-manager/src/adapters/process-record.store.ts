import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import type { ProcessIdentity } from '@lichen/host';
import { processPaths } from './process-paths.js';

/**
 * What survives the manager about a running component: enough to find its process group again without mistaking
 * a reused pid for it, to report who started it, and to run its shutdown script after a restart.
 */
export interface ProcessRecord extends ProcessIdentity {
  readonly name: string;
  readonly fingerprint: string;
  readonly deployment: string;
  readonly version: string;
  /** ISO 8601. */
  readonly startedAt: string;
  readonly cwd: string;
  /** The component's whole environment; the file is readable by its owner only, as /proc/<pid>/environ is. */
  readonly env: Readonly<Record<string, string>>;
  readonly shutdown?: string;
  readonly shutdownTimeoutMs: number;
}

/** The instance records under the runtime's root, `<root>/<name>/instance.json`, and their exit files. */
export class ProcessRecordStore {
  constructor(private readonly root: string) {}

  async read(name: string): Promise<ProcessRecord | undefined> {
    try {
      return JSON.parse(await readFile(processPaths(this.root, name).record, 'utf8')) as ProcessRecord;
    } catch {
      return undefined;
    }
  }

  async readAll(): Promise<ProcessRecord[]> {
    let names: string[];
    try {
      names = await readdir(this.root);
    } catch {
      return [];
    }
    const records = await Promise.all(names.map(async (name) => this.read(name).catch(() => undefined)));
    return records.filter((record): record is ProcessRecord => record !== undefined);
  }

  /** Written whole or not at all (rename), so a manager killed mid-write leaves the old record or the new one. */
  async write(record: ProcessRecord): Promise<void> {
    const paths = processPaths(this.root, record.name);
    await mkdir(paths.dir, { recursive: true });
    await writeFile(`${paths.record}.tmp`, JSON.stringify(record, null, 2), { mode: 0o600 });
    await rename(`${paths.record}.tmp`, paths.record);
  }

  /** Forgets the instance: its record and its exit file. Logs and the install marker stay. */
  async remove(name: string): Promise<void> {
    const paths = processPaths(this.root, name);
    await rm(paths.record, { force: true });
    await rm(paths.exit, { force: true });
  }

  /** Clears a previous instance's exit code before a new one starts. */
  async clearExit(name: string): Promise<void> {
    await rm(processPaths(this.root, name).exit, { force: true });
  }

  /** The exit code the run wrapper wrote for this very instance, if it got to write one. */
  async readExitCode(record: ProcessRecord): Promise<number | undefined> {
    try {
      const [pid, code] = (await readFile(processPaths(this.root, record.name).exit, 'utf8')).trim().split(' ');
      return Number(pid) === record.pid && code !== undefined && /^\d+$/.test(code) ? Number(code) : undefined;
    } catch {
      return undefined;
    }
  }
}
