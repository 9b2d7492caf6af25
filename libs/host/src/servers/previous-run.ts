import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { readEndpoints, removeEndpoints } from '@lichen/config';
import type { Logger } from '@lichen/logging';
import { LichenHostError } from '../host.error.js';

/**
 * Makes the data folder Lichen's alone: refuses to start beside a live Lichen on the same data, and stops the
 * servers a crashed (SIGKILLed) run left behind, which would otherwise hold the JetStream store and the AOF.
 */
export async function takeOverDataDir(dataDir: string, logger: Logger): Promise<void> {
  const previous = readEndpoints(dataDir);
  if (previous && previous.pid !== process.pid && isAlive(previous.pid)) {
    throw new LichenHostError(
      'SERVER_FAILED',
      `Lichen already runs from ${dataDir} (pid ${previous.pid}): stop it first, or give this one its own LICHEN_DATA_DIR`,
    );
  }
  for (const { pid, name } of serversIn(dataDir)) {
    logger.warn({ server: name, pid }, `stopping the ${name} a previous run left behind`);
    await stop(pid);
  }
  removeEndpoints(dataDir);
}

/**
 * Lichen runs each of its servers in its own data folder (`<dataDir>/nats`, `<dataDir>/redis`): a process working
 * there is one a previous run started, whatever its pid now (the supervisor may have restarted it) and whatever
 * its command line says (redis-server rewrites its own).
 */
function serversIn(dataDir: string): { pid: number; name: string }[] {
  const found: { pid: number; name: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    const cwd = read(() => readlinkSync(`/proc/${pid}/cwd`));
    if (!cwd?.startsWith(`${dataDir}/`)) continue;
    const name = read(() => readFileSync(`/proc/${pid}/comm`, 'utf8').trim()) ?? 'server';
    found.push({ pid, name });
  }
  return found;
}

function isAlive(pid: number): boolean {
  return read(() => readFileSync(`/proc/${pid}/stat`, 'utf8')) !== undefined;
}

function read<T>(look: () => T): T | undefined {
  try {
    return look();
  } catch {
    return undefined;
  }
}

async function stop(pid: number): Promise<void> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  for (let waited = 0; waited < 10_000 && isAlive(pid); waited += 100) await sleep(100);
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
}
