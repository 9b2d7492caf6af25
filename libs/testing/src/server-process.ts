import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isListening, waitFor } from './wait-for.js';

/** A server process a test started on its own port, with its own data folder, and stops when done. */
export interface ServerProcess {
  readonly port: number;
  readonly dataDir: string;
  /** Stops the process; the data folder stays until `stop({ removeData: true })`. */
  stop(options?: { removeData?: boolean }): Promise<void>;
  /** SIGKILL, as a crash would. */
  kill(): Promise<void>;
  /** Starts it again on the same port with the same data. */
  restart(): Promise<void>;
}

export interface ServerSpec {
  name: string;
  command: string;
  port: number;
  args: (dataDir: string) => string[];
  dataDir?: string;
  /** Added to the environment of the process. */
  env?: Record<string, string>;
  /** Writes what the server needs in its data folder (a config file) before it starts. */
  beforeStart?: (dataDir: string) => Promise<void>;
}

export async function startServerProcess(spec: ServerSpec): Promise<ServerProcess> {
  const dataDir = spec.dataDir ?? (await mkdtemp(join(tmpdir(), `lichen-${spec.name}-`)));
  let child: ChildProcess | undefined;
  let output = '';

  const launch = async () => {
    output = '';
    child = spawn(spec.command, spec.args(dataDir), { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...spec.env } });
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<never>((_, reject) =>
      child?.once('exit', (code) => reject(new Error(`${spec.name} exited with ${code}: ${output.slice(-2000)}`))),
    );
    exited.catch(() => undefined);
    const spawnFailed = new Promise<never>((_, reject) =>
      child?.once('error', (error) => reject(new Error(`cannot start ${spec.command}: ${error.message}`))),
    );
    await Promise.race([
      waitFor(() => isListening(spec.port), { what: `${spec.name} on port ${spec.port}` }),
      exited,
      spawnFailed,
    ]);
  };

  const terminate = async (signal: NodeJS.Signals) => {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill(signal);
    await exited;
  };

  await spec.beforeStart?.(dataDir);
  await launch();
  return {
    port: spec.port,
    dataDir,
    async stop(options) {
      await terminate('SIGTERM');
      if (options?.removeData) await rm(dataDir, { recursive: true, force: true });
    },
    kill: () => terminate('SIGKILL'),
    async restart() {
      await terminate('SIGTERM');
      await launch();
    },
  };
}
