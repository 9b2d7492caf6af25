import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { processEnvironment } from '@lichen/config';
import { freePort, waitFor } from '@lichen/testing';

/** The `lichen` command as built by `nx run cli:build`. */
const bin = fileURLToPath(new URL('../../../libs/cli/bin/lichen.js', import.meta.url));
const HOST = '127.0.0.1';
/** Long enough for a cold start while other test runs load the machine's two cores. */
const START_TIMEOUT_MS = 45_000;
/** How much of the output a failed start puts in its error. */
const OUTPUT_IN_ERROR = 8_000;

/** What a one-shot `lichen` command printed and how it ended. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** How a `lichen run` process ended: its exit code, or the signal that ended it. */
export interface LichenExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface LichenRunOptions {
  /** The services `lichen run` hosts, as on its command line. */
  services: string[];
  deviceId: string;
  /** Kept between runs: a process started again on the same directory picks up where the last one stopped. */
  dataDir: string;
  natsUrl: string;
  redisUrl: string;
  /** More LICHEN_* variables (the cloud link, the runtimes, ...); LICHEN_LOG_LEVEL is `info` unless set here. */
  env?: Record<string, string>;
  /** What must hold, once `/healthz` answers ok, before the process counts as started; `what` ends "lichen run x to ...". */
  ready?: { what: string; check: (lichen: LichenProcess) => Promise<boolean> };
  /** Called with the output as it comes: for a log that spans several runs on the same data. */
  onOutput?: (text: string) => void;
}

/** `lichen <args>` run to its end, e.g. `lichen shadow get press-7 --nats nats://...`. */
export function lichenCommand(...args: string[]): Promise<CliResult> {
  return new Promise((resolve) =>
    execFile(process.execPath, [bin, ...args], (error, stdout, stderr) =>
      resolve({ code: (error as { code?: number } | null)?.code ?? 0, stdout, stderr }),
    ),
  );
}

/**
 * `lichen run <services...>` as a child process, as a device runs it: the test's NATS, Redis and data directory,
 * metrics and `/healthz` on a free port of its own, stdout and stderr collected. `start` resolves once it is ready,
 * and fails at once, with what it printed, if it exits first.
 */
export class LichenProcess {
  /** Resolves when the process has ended, however it ended. */
  readonly exited: Promise<LichenExit>;
  #exit: LichenExit | undefined;
  #output = '';

  private constructor(
    private readonly child: ChildProcess,
    readonly metricsPort: number,
    onOutput: ((text: string) => void) | undefined,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve((this.#exit = { code, signal }))));
    for (const stream of [child.stdout, child.stderr]) {
      stream?.setEncoding('utf8').on('data', (text: string) => {
        this.#output += text;
        onOutput?.(text);
      });
    }
  }

  static async start(options: LichenRunOptions): Promise<LichenProcess> {
    const metricsPort = await freePort();
    const child = spawn(process.execPath, [bin, 'run', ...options.services], {
      env: {
        ...processEnvironment(),
        LICHEN_DEVICE_ID: options.deviceId,
        LICHEN_DATA_DIR: options.dataDir,
        LICHEN_NATS_URL: options.natsUrl,
        LICHEN_REDIS_URL: options.redisUrl,
        LICHEN_LOG_LEVEL: 'info',
        ...options.env,
        LICHEN_METRICS_HOST: HOST,
        LICHEN_METRICS_PORT: String(metricsPort),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lichen = new LichenProcess(child, metricsPort, options.onOutput);
    try {
      await lichen.#ready(options);
    } catch (error) {
      // A process that never got ready is not left running behind the failed test.
      await lichen.stop('SIGKILL');
      throw error;
    }
    return lichen;
  }

  /** Everything this run printed so far, stdout and stderr as they came. */
  get output(): string {
    return this.#output;
  }

  /** One sample of `/metrics`, by name and labels as written there (`name{label="value"}`); undefined if absent. */
  async metric(series: string): Promise<number | undefined> {
    const text = await (await fetch(`http://${HOST}:${this.metricsPort}/metrics`)).text();
    const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
    return line === undefined ? undefined : Number(line.slice(series.length + 1));
  }

  /** Sends `signal` (SIGTERM: a service manager stopping it; SIGKILL: a crash or power loss) and waits for the exit. */
  stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<LichenExit> {
    if (!this.#exit) this.child.kill(signal);
    return this.exited;
  }

  async #ready({ services, ready }: LichenRunOptions): Promise<void> {
    const command = `lichen run ${services.join(' ')}`;
    const outcome = await waitFor(
      async () => this.#exit ?? ((await this.#healthy()) && (await (ready?.check(this) ?? true)) && 'ready'),
      { what: `${command} to ${ready?.what ?? 'be ready'}`, timeoutMs: START_TIMEOUT_MS, intervalMs: 100 },
    );
    if (outcome !== 'ready') {
      const ending = outcome.signal ?? outcome.code;
      throw new Error(`${command} exited with ${ending} before it was ready: ${this.#output.slice(-OUTPUT_IN_ERROR)}`);
    }
  }

  async #healthy(): Promise<boolean> {
    const answer = await fetch(`http://${HOST}:${this.metricsPort}/healthz`).catch(() => undefined);
    return answer?.ok ?? false;
  }
}
