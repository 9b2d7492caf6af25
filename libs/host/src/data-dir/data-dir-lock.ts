import { closeSync, openSync, readFileSync, realpathSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@lichen/logging';
import { LichenHostError } from '../host.error.js';
import { identityOf, isRunning, processesIn, type ProcessIdentity } from './process-identity.js';

const LOCK_FILE = 'lichen.lock';

/** The data folder, held by this run until `release()`. */
export interface DataDirLock {
  /** The folder's real path (symlinks resolved): what the servers' working directories are compared with. */
  readonly dir: string;
  release(): void;
}

/**
 * Makes the data folder this run's alone, from before anything starts until after its servers have stopped: a
 * lock file holding this process's identity, created exclusively. A lock whose process is gone (a crash, a power
 * cut; its pid may belong to another program by now, hence the start time) is taken over. Then the servers a
 * crashed run left behind, which would hold the JetStream store and the AOF, are stopped.
 */
export async function lockDataDir(dataDir: string, logger: Logger): Promise<DataDirLock> {
  const dir = realpathSync(dataDir);
  const file = join(dir, LOCK_FILE);
  const self = identityOf(process.pid) ?? { pid: process.pid, startTime: 0 };
  while (!create(file, self)) {
    const holder = readHolder(file);
    if (holder && isRunning(holder)) {
      throw new LichenHostError(
        'DATA_DIR_IN_USE',
        `Lichen already runs from ${dir} (pid ${holder.pid}): stop it first, or give this one its own LICHEN_DATA_DIR`,
      );
    }
    logger.warn({ lock: file, pid: holder?.pid }, 'taking over the data folder of a run that ended without stopping');
    unlinkSync(file);
  }
  for (const [folder, name] of [
    ['nats', 'nats-server'],
    ['redis', 'redis-server'],
  ] as const) {
    for (const pid of processesIn(join(dir, folder), name)) {
      logger.warn({ server: name, pid }, `stopping the ${name} a previous run left behind`);
      await stop(pid);
    }
  }
  return {
    dir,
    release: () => {
      if (readHolder(file)?.pid === self.pid) unlinkSync(file);
    },
  };
}

function create(file: string, self: ProcessIdentity): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  writeSync(fd, `${JSON.stringify(self)}\n`);
  closeSync(fd);
  return true;
}

function readHolder(file: string): ProcessIdentity | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as ProcessIdentity;
  } catch {
    return undefined;
  }
}

async function stop(pid: number): Promise<void> {
  const identity = identityOf(pid);
  if (!identity) return;
  process.kill(pid, 'SIGTERM');
  for (let waited = 0; waited < 10_000 && isRunning(identity); waited += 100) await sleep(100);
  if (isRunning(identity)) process.kill(pid, 'SIGKILL');
}
