import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { LichenHostError } from '../host.error.js';
import type { Logger } from '@lichen/logging';

export interface ManagedServerSpec {
  /** The program's name, as the operator knows it (`nats-server`). */
  name: string;
  command: string;
  args: string[];
  /** The Debian package that provides the command, said when it is missing. */
  debianPackage: string;
  /** The variable that points Lichen at an external server instead. */
  externalVariable: string;
  port: number;
  /** Its data folder: the working directory it runs in, by which a later start recognises it. */
  dir: string;
  logFile: string;
  logger: Logger;
  startTimeoutMs?: number;
}

/** A server Lichen started and keeps running: restarted with backoff when it dies, stopped with Lichen. */
export interface ManagedServer {
  readonly name: string;
  /** Its process while it runs. */
  readonly pid: number | undefined;
  /** Why it is not serving now, or undefined when it is. */
  problem(): string | undefined;
  stop(timeoutMs?: number): Promise<void>;
}

/** Starts the server and resolves once it accepts connections; throws, saying why, when it does not. */
export async function startManagedServer(spec: ManagedServerSpec): Promise<ManagedServer> {
  let child: ChildProcess | undefined;
  let down: string | undefined;
  // Aborted by stop(): ends a restart's backoff wait at once, and no restart follows.
  const stopping = new AbortController();

  const launch = async (): Promise<void> => {
    const log = openSync(spec.logFile, 'a');
    // A process group of its own: Ctrl-C in a terminal signals the whole foreground group, and the server must
    // not stop before the services using it have drained; Lichen stops it last, itself.
    const started = spawn(spec.command, spec.args, { cwd: spec.dir, stdio: ['ignore', log, log], detached: true });
    closeSync(log);
    child = started;
    const failed = new Promise<never>((_, reject) => {
      started.once('error', (error: NodeJS.ErrnoException) => reject(launchError(spec, error)));
      started.once('exit', (code, signal) => reject(exitError(spec, code, signal)));
    });
    failed.catch(() => undefined);
    try {
      await Promise.race([waitListening(spec.port, spec.startTimeoutMs ?? 15_000, spec.name), failed]);
    } catch (error) {
      // Not ready in time, or it failed: it must not live on, in its own process group, after Lichen gives up.
      await kill(started);
      throw error;
    }
    down = undefined;
    started.once('exit', (code, signal) => void onExit(started, code, signal));
  };

  const onExit = async (exited: ChildProcess, code: number | null, signal: NodeJS.Signals | null) => {
    if (stopping.signal.aborted || exited !== child) return;
    down = `exited (${signal ?? `code ${code}`}); restarting`;
    spec.logger.error({ server: spec.name, code, signal, log: spec.logFile }, `${spec.name} exited; restarting it`);
    for (let delay = 1_000; !stopping.signal.aborted; delay = Math.min(delay * 2, 30_000)) {
      await sleep(delay, undefined, { signal: stopping.signal }).catch(() => undefined);
      if (stopping.signal.aborted) return;
      try {
        await launch();
        spec.logger.info({ server: spec.name, pid: child?.pid }, `${spec.name} restarted`);
        return;
      } catch (error) {
        down = `cannot restart: ${(error as Error).message}`;
      }
    }
  };

  await launch();
  return {
    name: spec.name,
    get pid() {
      // None while it is down: a pid kept after the exit could be another program's by now.
      return child && child.exitCode === null && child.signalCode === null ? child.pid : undefined;
    },
    problem: () => down,
    async stop(timeoutMs = 10_000) {
      stopping.abort();
      if (child) await kill(child, timeoutMs);
    },
  };
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited. */
async function kill(running: ChildProcess, graceMs = 0): Promise<void> {
  if (running.exitCode !== null || running.signalCode !== null) return;
  const exited = new Promise((resolve) => running.once('exit', resolve));
  running.kill(graceMs ? 'SIGTERM' : 'SIGKILL');
  const killer = setTimeout(() => running.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(killer);
}

async function waitListening(port: number, timeoutMs: number, name: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await accepts(port))) {
    if (Date.now() > deadline)
      throw new LichenHostError('SERVER_NOT_READY', `${name} did not listen on port ${port} within ${timeoutMs} ms`);
    await sleep(50);
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

function launchError(spec: ManagedServerSpec, error: NodeJS.ErrnoException): LichenHostError {
  if (error.code === 'ENOENT') {
    return new LichenHostError(
      'SERVER_MISSING',
      `${spec.command} is not installed: apt-get install ${spec.debianPackage} (or set ${spec.externalVariable} to a server of yours)`,
    );
  }
  return new LichenHostError('SERVER_FAILED', `cannot start ${spec.command}: ${error.message}`, { cause: error });
}

function exitError(spec: ManagedServerSpec, code: number | null, signal: NodeJS.Signals | null): LichenHostError {
  const tail = readTail(spec.logFile);
  return new LichenHostError(
    'SERVER_FAILED',
    `${spec.name} exited at start (${signal ?? `code ${code}`}); the end of ${spec.logFile}:\n${tail}`,
  );
}

function readTail(file: string): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-5).join('\n');
  } catch {
    return '(no log)';
  }
}
