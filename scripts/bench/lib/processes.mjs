// The processes a benchmark starts: each with its log in a temp dir, waited for, and all stopped at the end.

import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const children = []; // { name, child, logPath, exited, error? }
const tempDirs = [];
let cleaning;

/** Creates a temp dir named `<prefix>XXXXXX` under the OS temp dir; stopAll() and process exit remove it. */
export function makeTempDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

/**
 * Starts `command args` with stdout and stderr appended to `<logDir>/<name>.log`, and tracks it for stopAll().
 * With `ipc`, a Node child also gets an IPC channel (`child.send`, `process.send`), for a benchmark's own helpers.
 * Returns `{ name, child, logPath, exited }`; `exited` turns true when it exits or cannot be started (`error`).
 */
export function start(name, command, args, { cwd, env, logDir, ipc = false }) {
  const logPath = join(logDir, `${name}.log`);
  const fd = openSync(logPath, 'a');
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', fd, fd, ...(ipc ? ['ipc'] : [])] });
  closeSync(fd);
  const entry = { name, child, logPath, exited: false };
  child.on('exit', () => (entry.exited = true));
  child.on('error', (error) => {
    entry.exited = true;
    entry.error = error;
  });
  children.push(entry);
  return entry;
}

/** The last `lines` lines of a started process's log, or '(no log)'. */
export function logTail(entry, lines = 15) {
  try {
    return readFileSync(entry.logPath, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Throws, with the tail of its log, when a started process has exited. */
export function assertAlive(entry, label = entry.name) {
  if (entry.exited) throw new Error(`${label} died during the benchmark:\n${logTail(entry)}`);
}

/** Polls `url` until it answers 2xx; throws when `entry` exits first or after `timeoutMs`. */
export async function waitForHttp(url, timeoutMs, entry) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (entry.exited) throw new Error(`${entry.name} exited during start-up:\n${logTail(entry)}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      await response.arrayBuffer();
      if (response.ok) return;
    } catch {
      /* not yet */
    }
    await sleep(100);
  }
  throw new Error(`${entry.name} did not answer ${url} within ${timeoutMs / 1000}s:\n${logTail(entry)}`);
}

/**
 * Stops every started process, last started first (so clients close before the servers they use): SIGTERM,
 * then SIGKILL after 5 s; then removes the temp dirs. Runs once; later calls return the same promise.
 */
export function stopAll() {
  cleaning ??= (async () => {
    for (const entry of [...children].reverse()) {
      if (entry.exited || entry.child.exitCode !== null || entry.child.pid === undefined) continue;
      entry.child.kill('SIGTERM');
      const deadline = Date.now() + 5_000;
      while (!entry.exited && Date.now() < deadline) await sleep(50);
      if (!entry.exited) entry.child.kill('SIGKILL');
    }
    removeTempDirs();
  })();
  return cleaning;
}

/** Synchronous last resort, for process 'exit': SIGKILLs every started process still running, removes the temp dirs. */
export function killAllNow() {
  for (const entry of children) if (!entry.exited && entry.child.exitCode === null) entry.child.kill('SIGKILL');
  removeTempDirs();
}

function removeTempDirs() {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}
