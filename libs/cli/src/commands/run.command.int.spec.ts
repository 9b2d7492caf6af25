import { spawn, type ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEndpoints, type LichenEndpoints } from '@lichen/config';
import { isListening, processesUnder, waitFor } from '@lichen/testing';

// `lichen run` as an operator meets it: started from a folder, asked with `lichen health` from the same folder
// with no flags, stopped with SIGTERM, and started again after a crash.
const lichen = fileURLToPath(new URL('../../bin/lichen.js', import.meta.url));

interface Running {
  child: ChildProcess;
  output: () => string;
}

/** The test's environment without any LICHEN_* variable: the folder decides, as for an operator. */
function plainEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('LICHEN_')));
}

const started: ChildProcess[] = [];

function startLichen(cwd: string, ...args: string[]): Running {
  let output = '';
  const env = plainEnv();
  const child = spawn(process.execPath, [lichen, 'run', ...args], {
    cwd,
    env: { ...env, LICHEN_DEVICE_ID: 'cli-run', LICHEN_METRICS_HOST: '127.0.0.1', LICHEN_HEARTBEAT_INTERVAL: '500ms' },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, as in a terminal, so a test can press Ctrl-C: SIGINT to the whole group.
    detached: true,
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  started.push(child);
  return { child, output: () => output };
}

async function endpointsOf(running: Running, dataDir: string, pid?: number): Promise<LichenEndpoints> {
  const found = await waitFor(
    () => {
      if (running.child.exitCode !== null) return 'exited';
      const endpoints = readEndpoints(dataDir);
      return endpoints && (pid === undefined || endpoints.pid === pid) && endpoints;
    },
    { what: 'lichen run to record its endpoints', timeoutMs: 20_000 },
  );
  if (found === 'exited') throw new Error(`lichen run exited ${running.child.exitCode}: ${running.output()}`);
  return found;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function exited(child: ChildProcess): Promise<number | null> {
  return child.exitCode !== null ? Promise.resolve(child.exitCode) : new Promise((resolve) => child.once('exit', resolve));
}

async function health(cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    return { code: 0, ...(await promisify(execFile)(process.execPath, [lichen, 'health'], { cwd, env: plainEnv() })) };
  } catch (error) {
    return error as { code: number; stdout: string; stderr: string };
  }
}

let folder: string;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'lichen-run-'));
});

afterAll(async () => {
  // Whatever a failed test left running: the lichen processes, then the servers they started.
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const { pid } of processesUnder(folder)) process.kill(pid, 'SIGKILL');
  await rm(folder, { recursive: true, force: true });
});

describe('lichen run', () => {
  it('runs every service with its own NATS and Redis, answers lichen health with no flags, and stops on Ctrl-C', async () => {
    const running = startLichen(folder);
    const endpoints = await endpointsOf(running, join(folder, '.lichen'));
    expect(endpoints.services).toEqual(['router', 'component-manager', 'sync-agent', 'health-exporter']);

    const { code, stdout } = await health(folder);
    expect([0, 2], stdout).toContain(code);
    expect(stdout).toMatch(/^device {6}cli-run {3}(OK|DEGRADED|CRITICAL)$/m);
    expect(stdout).toContain('bus         connected   nats up   redis up');
    expect((await fetch(`${endpoints.metrics}/healthz`)).status).toBe(200);

    // Ctrl-C reaches every process of the terminal's group: the servers must still stop last, and not restart.
    process.kill(-running.child.pid!, 'SIGINT');
    expect(await exited(running.child)).toBe(0);
    expect(running.output()).not.toMatch(/exited; restarting/);
    expect(readEndpoints(join(folder, '.lichen'))).toBeUndefined();
    const [natsPort, redisPort] = [new URL(endpoints.nats).port, new URL(endpoints.redis).port].map(Number);
    expect(await isListening(natsPort!)).toBe(false);
    expect(await isListening(redisPort!)).toBe(false);
  });

  it('starts again after being killed, stopping the servers the killed run left behind', async () => {
    const first = startLichen(folder, 'health-exporter');
    const before = await endpointsOf(first, join(folder, '.lichen'));
    first.child.kill('SIGKILL');
    await exited(first.child);
    expect(await isListening(Number(new URL(before.nats).port))).toBe(true);
    const leftBehind = processesUnder(join(folder, '.lichen'));
    expect(leftBehind.map(({ name }) => name).sort()).toEqual(['nats-server', 'redis-server']);

    const second = startLichen(folder, 'health-exporter');
    try {
      const after = await endpointsOf(second, join(folder, '.lichen'), second.child.pid);
      expect(second.output()).toMatch(/stopping the nats-server a previous run left behind/);
      expect(second.output()).toMatch(/stopping the redis-server a previous run left behind/);
      for (const { pid } of leftBehind) expect(alive(pid), `server ${pid} of the killed run`).toBe(false);
      expect(
        processesUnder(join(folder, '.lichen'))
          .map(({ name }) => name)
          .sort(),
      ).toEqual(['nats-server', 'redis-server']);
      expect(after.pid).toBe(second.child.pid);
      expect((await health(folder)).stdout).toContain('bus         connected   nats up   redis up');
    } finally {
      second.child.kill('SIGTERM');
      expect(await exited(second.child)).toBe(0);
    }
  });

  it('names the services it has when asked for one it does not', async () => {
    const running = startLichen(folder, 'toaster');
    expect(await exited(running.child)).toBe(1);
    expect(running.output()).toContain(
      'lichen run: no service named toaster; Lichen has router, component-manager, sync-agent, health-exporter',
    );
  });

  it('says in one line what is wrong with the environment, and starts nothing', async () => {
    const child = spawn(process.execPath, [lichen, 'run'], {
      cwd: folder,
      env: { ...plainEnv(), LICHEN_METRICS_PORT: '99999', LICHEN_HEARTBEAT_INTERVAL: 'often' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    expect(await exited(child)).toBe(1);
    expect(stderr).toContain('lichen run: cannot start: invalid configuration:');
    expect(stderr).toContain('LICHEN_METRICS_PORT: expected a port from 1 to 65535 (given "99999")');
    expect(stderr).toContain('LICHEN_HEARTBEAT_INTERVAL: expected a duration');
  });
});
