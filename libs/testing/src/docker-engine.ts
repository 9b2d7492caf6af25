import { execFile, spawn } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { readForwardPolicy, setForwardPolicy } from './forward-policy.js';
import { findCommand, requireCommand } from './required-command.js';
import { waitFor } from './wait-for.js';

const run = promisify(execFile);

export type DockerEngineErrorCode = 'DOCKER_CLI_MISSING' | 'DOCKERD_MISSING' | 'ENGINE_NOT_READY' | 'COMMAND_FAILED';

export class DockerEngineError extends Error {
  override readonly name = 'DockerEngineError';
  constructor(
    readonly code: DockerEngineErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * The engine a test uses. `release()` stops it and puts the host's FORWARD policy back as it was, but only if this
 * process started it; call it in `afterAll`, which runs even when `beforeAll` or a test failed.
 */
export interface DockerEngine {
  readonly startedHere: boolean;
  /** dockerd's output, when it was started here. */
  readonly logFile?: string;
  release(): Promise<void>;
}

/** How long dockerd gets to stop its containers after SIGTERM before it is killed. */
const STOP_TIMEOUT_MS = 30_000;

/**
 * Makes sure a Docker engine answers. If none does and `dockerd` is installed, starts
 * `dockerd --iptables=false` in the background and opens the FORWARD chain, so containers on a compose
 * network reach each other (a daemon without iptables leaves the policy as it found it, which may be DROP).
 * The policy found is recorded first and restored by `release()`.
 */
export async function ensureDockerEngine(options: { timeoutMs?: number } = {}): Promise<DockerEngine> {
  if (!findCommand('docker')) {
    throw new DockerEngineError('DOCKER_CLI_MISSING', 'no `docker` command: apt-get install docker.io');
  }
  if (await engineAnswers()) return { startedHere: false, release: async () => undefined };
  const dockerd = findCommand('dockerd');
  if (!dockerd) {
    throw new DockerEngineError(
      'DOCKERD_MISSING',
      'no Docker engine is running and `dockerd` is not installed: apt-get install docker.io (docker-compose for compose tests)',
    );
  }
  // docker.io depends on iptables, so a machine with dockerd has it; read before anything changes.
  const iptables = findCommand('iptables');
  const forwardBefore = iptables ? await readForwardPolicy(iptables) : undefined;

  const logFile = join(tmpdir(), `lichen-dockerd-${process.pid}.log`);
  const log = openSync(logFile, 'a');
  const daemon = spawn(dockerd, ['--iptables=false'], { detached: true, stdio: ['ignore', log, log] });
  daemon.unref();
  const exited = new Promise<never>((_, reject) =>
    daemon.once('exit', (code) =>
      reject(new DockerEngineError('ENGINE_NOT_READY', `dockerd exited with ${code}: ${tail(logFile)}`)),
    ),
  );
  exited.catch(() => undefined);

  // Stops the daemon, then puts the policy back; once, whether called by a failed start or by release().
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      await stopDaemon(daemon);
      if (iptables && forwardBefore) await setForwardPolicy(iptables, forwardBefore);
    })());

  try {
    if (iptables) await runCommand(iptables, ['-P', 'FORWARD', 'ACCEPT']);
    await Promise.race([
      waitFor(engineAnswers, { timeoutMs: options.timeoutMs ?? 30_000, intervalMs: 200, what: '`docker info`' }),
      exited,
    ]);
  } catch (error) {
    await stop();
    throw new DockerEngineError('ENGINE_NOT_READY', `dockerd did not become ready; its log: ${logFile}`, { cause: error });
  }
  return { startedHere: true, logFile, release: stop };
}

async function stopDaemon(daemon: ReturnType<typeof spawn>): Promise<void> {
  if (daemon.exitCode !== null || daemon.signalCode !== null) return;
  const gone = new Promise((resolve) => daemon.once('exit', resolve));
  const kill = setTimeout(() => daemon.kill('SIGKILL'), STOP_TIMEOUT_MS);
  daemon.kill('SIGTERM');
  await gone;
  clearTimeout(kill);
}

/**
 * Runs a program (docker, docker-compose, a script) and returns its standard output; on failure throws a
 * `DockerEngineError` carrying the end of its error output.
 */
export async function runCommand(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {},
): Promise<string> {
  try {
    const { stdout } = await run(command, args, {
      env: options.env ?? process.env,
      cwd: options.cwd,
      timeout: options.timeoutMs ?? 300_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim().slice(-4000) ?? '';
    throw new DockerEngineError('COMMAND_FAILED', `${command} ${args.join(' ')} failed: ${stderr}`, { cause: error });
  }
}

/** A compose project under its own name, so a test's containers, networks and volumes are its alone. */
export interface ComposeProject {
  readonly name: string;
  /** `docker-compose -p <name> -f <file> ...args` with the project's environment. */
  run(args: string[], options?: { timeoutMs?: number }): Promise<string>;
}

export function composeProject(settings: {
  name: string;
  file: string;
  env?: Record<string, string>;
  cwd?: string;
}): ComposeProject {
  const env = { ...process.env, ...settings.env };
  return {
    name: settings.name,
    // async, so a missing docker-compose rejects like any failure, and an afterAll's `.catch` still handles it.
    run: async (args, options) =>
      runCommand(requireCommand('docker-compose', 'docker-compose'), ['-p', settings.name, '-f', settings.file, ...args], {
        env,
        cwd: settings.cwd,
        ...options,
      }),
  };
}

async function engineAnswers(): Promise<boolean> {
  try {
    await run('docker', ['info', '--format', '{{.ServerVersion}}'], { timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').slice(-2000);
  } catch {
    return '';
  }
}
