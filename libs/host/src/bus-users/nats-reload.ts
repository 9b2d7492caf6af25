import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileSize } from './file-size.js';
import { BusAuthorityError } from './bus-authority.error.js';

/** The running nats-server, as far as reloading it goes. */
export interface ReloadableNats {
  /**
   * Its process, which Lichen sends SIGHUP; undefined while it is not running (it then reads its configuration when
   * it starts). Absent when the server is not Lichen's to signal: something beside it has it reload as soon as the
   * users file changes (the compose file's nats container watches the file), and Lichen waits for that reload.
   */
  pid?: () => number | undefined;
  monitorUrl: string;
  /** Its log, where a failed reload says why; without one, a failure shows only as the timeout. */
  logFile?: string;
}

/**
 * Makes `change` (the new users file put in place) and has nats-server reload its configuration; resolves once it
 * has. Every reload that succeeds moves `config_load_time` in `/varz`; one that fails leaves it as it was and says
 * why in the server's log, with the old configuration still in force. Both are read before the change, so that a
 * reload started by a watcher the moment the file changes is not missed.
 */
export async function reloadNats(nats: ReloadableNats, change: () => Promise<void>, timeoutMs = 15_000): Promise<void> {
  if (nats.pid && nats.pid() === undefined) return change();
  const before = await configLoadTime(nats.monitorUrl);
  const logStart = nats.logFile ? fileSize(nats.logFile) : 0;
  await change();
  if (nats.pid && !signal(nats.pid())) return;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    await sleep(20);
    if ((await configLoadTime(nats.monitorUrl).catch(() => before)) !== before) return;
    const failure = /\[ERR\] Failed to reload server configuration: (.*)/.exec(readFrom(nats.logFile, logStart));
    if (failure) {
      throw new BusAuthorityError('BUS_RELOAD_FAILED', `nats-server could not reload its configuration: ${failure[1]}`);
    }
  }
  const tail = readFrom(nats.logFile, logStart).trimEnd().split('\n').slice(-5).join('\n');
  const said = nats.logFile ? `; the end of ${nats.logFile}:\n${tail || '(nothing new)'}` : '';
  throw new BusAuthorityError('BUS_RELOAD_FAILED', `nats-server did not reload its configuration within ${timeoutMs} ms${said}`);
}

/** Sends SIGHUP; false when the server is not running (it reads the new configuration when it is started again). */
function signal(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 'SIGHUP');
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

async function configLoadTime(monitorUrl: string): Promise<string> {
  try {
    const response = await fetch(new URL('/varz', monitorUrl), { signal: AbortSignal.timeout(5_000) });
    const varz = (await response.json()) as { config_load_time?: string };
    if (!varz.config_load_time) throw new Error('no config_load_time in /varz');
    return varz.config_load_time;
  } catch (error) {
    throw new BusAuthorityError(
      'BUS_RELOAD_FAILED',
      `cannot read nats-server's /varz at ${monitorUrl}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}

/** What the file holds past `start`, at most the last 64 KiB of it. */
function readFrom(file: string | undefined, start: number): string {
  if (file === undefined) return '';
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const end = statSync(file).size;
    // A log emptied meanwhile (Lichen keeps its own NATS's short) is read from its start.
    const from = Math.max(end < start ? 0 : start, end - 65_536);
    const buffer = Buffer.alloc(Math.max(0, end - from));
    readSync(fd, buffer, 0, buffer.length, from);
    return buffer.toString('utf8');
  } catch {
    return '';
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
