import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@lichen/testing';
import type { ComponentSpec, ProcessScripts } from '../domain/component/component-spec.js';
import type { ComponentExit, ComponentInstance, LaunchContext, LogEntry } from '../domain/runtime/component-runtime.js';
import { ProcessAdapter } from './process.adapter.js';
import { componentSpec } from '../../test/fakes/component-spec.js';

function component(name: string, scripts: ProcessScripts, more: Partial<ComponentSpec> = {}): ComponentSpec {
  return componentSpec(name, {
    version: '1.0.0',
    process: scripts,
    health: { startupTimeoutMs: 5_000 },
    timeouts: { installMs: 5_000, shutdownMs: 2_000 },
    pullPolicy: 'never',
    ...more,
  });
}

const contextFor = (name: string): LaunchContext => ({
  fingerprint: `fp-${name}`,
  deployment: 'line-3',
  env: { LICHEN_COMPONENT: name },
});

/** The unfinished processes of a process group, read from /proc as `ps -g` would list them. */
function groupOf(pgid: number): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return Number(fields[2]) === pgid && fields[0] !== 'Z' ? [Number(pid)] : [];
      } catch {
        return [];
      }
    });
}

const noSignal = (): AbortSignal => new AbortController().signal;

describe('ProcessAdapter with real processes', () => {
  let root: string;
  let adapter: ProcessAdapter;
  const groups: number[] = [];
  const adapters: ProcessAdapter[] = [];
  const exits: ComponentExit[] = [];

  const newAdapter = (): ProcessAdapter => {
    const created = new ProcessAdapter({ root, pollIntervalMs: 50 });
    adapters.push(created);
    return created;
  };
  const started = (instance: ComponentInstance): ComponentInstance => {
    groups.push(Number(instance.id));
    return instance;
  };

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'lichen-process-'));
    process.env.LICHEN_TEST_NOT_INHERITED = 'leaked';
    adapter = newAdapter();
    adapter.onExit((exit) => exits.push(exit));
  });

  afterAll(async () => {
    delete process.env.LICHEN_TEST_NOT_INHERITED;
    await Promise.all(adapters.map(async (each) => each.close()));
    for (const pgid of groups) {
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        // Already gone, as it should be.
      }
    }
    await rm(root, { recursive: true, force: true });
  });

  it('starts with its environment, shows it in its logs, and lists it as running', async () => {
    const spec = component(
      'sensor',
      {
        run: 'echo "greeting=$GREETING to $LICHEN_COMPONENT, ${LICHEN_TEST_NOT_INHERITED:-nothing else}"; echo warming >&2; while [ ! -f go ]; do sleep 0.05; done; echo second; sleep 30',
      },
      { env: { GREETING: 'hello' } },
    );
    const instance = started(await adapter.start(spec, contextFor('sensor'), noSignal()));
    expect(instance).toMatchObject({ name: 'sensor', runtime: 'process', status: 'running', fingerprint: 'fp-sensor' });

    const read = async (
      options: { tail: number; follow: boolean; signal: AbortSignal },
      into: LogEntry[] = [],
    ): Promise<LogEntry[]> => {
      for await (const entry of adapter.logs('sensor', options)) into.push(entry);
      return into;
    };
    const tailed = await waitFor(
      async () => {
        const entries = await read({ tail: 10, follow: false, signal: noSignal() });
        return entries.length === 2 && entries;
      },
      { timeoutMs: 3_000, what: 'the first lines' },
    );
    expect(tailed.map(({ stream, line }) => ({ stream, line }))).toEqual([
      { stream: 'stdout', line: 'greeting=hello to sensor, nothing else' },
      { stream: 'stderr', line: 'warming' },
    ]);

    const following = new AbortController();
    const followed: LogEntry[] = [];
    const reading = read({ tail: 1, follow: true, signal: following.signal }, followed);
    await writeFile(join(root, 'sensor', 'work', 'go'), '');
    await waitFor(() => followed.some((entry) => entry.line === 'second'), { timeoutMs: 3_000, what: 'a followed line' });
    following.abort();
    await reading;
    expect(followed.map(({ stream, line }) => ({ stream, line }))).toEqual([
      { stream: 'stdout', line: 'greeting=hello to sensor, nothing else' },
      { stream: 'stderr', line: 'warming' },
      { stream: 'stdout', line: 'second' },
    ]);

    const listed = (await adapter.list()).find((each) => each.name === 'sensor');
    expect(listed).toMatchObject({ id: instance.id, status: 'running', fingerprint: 'fp-sensor', deployment: 'line-3' });
  });

  it('reports a component that exits 3 within a second, with its exit code', async () => {
    const startedAt = Date.now();
    const instance = started(await adapter.start(component('oneshot', { run: 'exit 3' }), contextFor('oneshot'), noSignal()));
    const exit = await waitFor(() => exits.find((each) => each.name === 'oneshot'), { timeoutMs: 2_000, what: 'the exit' });
    expect(exit).toMatchObject({ id: instance.id, exitCode: 3 });
    expect(exit.at.getTime() - startedAt).toBeLessThan(1_000);
    expect((await adapter.list()).find((each) => each.name === 'oneshot')).toMatchObject({ status: 'exited', exitCode: 3 });
  });

  it('stops a component that ignores SIGTERM and forked a child, leaving nothing of its group, then runs shutdown', async () => {
    const stubborn = "trap '' TERM; while true; do sleep 0.2; done";
    const spec = component('stubborn', {
      run: `(${stubborn}) & ${stubborn}`,
      shutdown: 'echo "bye $LICHEN_COMPONENT" > shutdown.txt',
    });
    const instance = started(await adapter.start(spec, contextFor('stubborn'), noSignal()));
    const pgid = Number(instance.id);
    await waitFor(() => groupOf(pgid).length >= 3, { timeoutMs: 2_000, what: 'the forked child' });

    const stopping = Date.now();
    await adapter.stop('stubborn', 1_000, noSignal());
    expect(Date.now() - stopping).toBeLessThan(2_500);
    expect(groupOf(pgid)).toEqual([]);
    expect(await readFile(join(root, 'stubborn', 'work', 'shutdown.txt'), 'utf8')).toBe('bye stubborn\n');
    expect((await adapter.list()).map((each) => each.name)).not.toContain('stubborn');
    await expect(adapter.stop('stubborn', 1_000, noSignal())).resolves.toBeUndefined();
  });

  it('lets a restarted manager adopt a running component and report its later exit', async () => {
    const first = newAdapter();
    const spec = component('adoptee', { run: 'while [ ! -f finish ]; do sleep 0.05; done; exit 5' });
    const instance = started(await first.start(spec, contextFor('adoptee'), noSignal()));
    await first.close();

    const second = newAdapter();
    const seen: ComponentExit[] = [];
    second.onExit((exit) => seen.push(exit));
    expect((await second.list()).find((each) => each.name === 'adoptee')).toMatchObject({
      id: instance.id,
      status: 'running',
      fingerprint: 'fp-adoptee',
    });
    await writeFile(join(root, 'adoptee', 'work', 'finish'), '');
    const exit = await waitFor(() => seen.find((each) => each.name === 'adoptee'), {
      timeoutMs: 2_000,
      what: 'the adopted exit',
    });
    expect(exit).toMatchObject({ id: instance.id, exitCode: 5 });
    expect((await second.list()).find((each) => each.name === 'adoptee')).toMatchObject({ status: 'exited', exitCode: 5 });
    await second.stop('adoptee', 1_000, noSignal());
    expect(seen.filter((each) => each.name === 'adoptee')).toHaveLength(1);
  });

  it('runs install once per version', async () => {
    const installs = join(root, 'builder', 'installs.log');
    const spec = component(
      'builder',
      { install: 'echo "$VERSION_SEEN" >> ../installs.log', run: 'true' },
      { env: { VERSION_SEEN: 'v1' } },
    );
    await adapter.install(spec, noSignal());
    await adapter.install(spec, noSignal());
    expect(await readFile(installs, 'utf8')).toBe('v1\n');
    await adapter.install({ ...spec, version: '1.1.0', env: { VERSION_SEEN: 'v1.1' } }, noSignal());
    expect(await readFile(installs, 'utf8')).toBe('v1\nv1.1\n');
  });

  it('rejects a failing install with its exit code and output, and runs it again next time', async () => {
    const spec = component('broken', { install: "echo compiling; echo 'cc: not found' >&2; exit 2", run: 'true' });
    const failure = {
      code: 'PROCESS_SCRIPT_FAILED',
      message: expect.stringMatching(/^install script exited with 2: .*cc: not found/),
    };
    await expect(adapter.install(spec, noSignal())).rejects.toMatchObject(failure);
    await expect(adapter.install(spec, noSignal())).rejects.toMatchObject(failure);
  });

  it('kills an install that hangs, with its whole group, at its timeout', async () => {
    const spec = component(
      'hanging',
      { install: 'echo $$ > install.pid; sleep 30 & sleep 30', run: 'true' },
      { timeouts: { installMs: 300, shutdownMs: 1_000 } },
    );
    const startedAt = Date.now();
    await expect(adapter.install(spec, noSignal())).rejects.toMatchObject({
      code: 'PROCESS_SCRIPT_TIMED_OUT',
      message: 'install script timed out after 0.3s',
    });
    expect(Date.now() - startedAt).toBeLessThan(2_000);
    const pgid = Number(await readFile(join(root, 'hanging', 'work', 'install.pid'), 'utf8'));
    expect(groupOf(pgid)).toEqual([]);
  });

  it('runs the health check command in the component environment: true on exit 0', async () => {
    const check = (command: string[]): ComponentSpec =>
      component(
        'checked',
        { run: 'true' },
        { env: { GREETING: 'hello' }, health: { startupTimeoutMs: 1_000, check: { command, intervalMs: 1_000 } } },
      );
    expect(await adapter.runCheck(check(['test "$GREETING" = hello']), noSignal())).toBe(true);
    expect(await adapter.runCheck(check(['sh', '-c', 'exit 1']), noSignal())).toBe(false);
    expect(await adapter.runCheck(check(['/nonexistent/probe']), noSignal())).toBe(false);

    const startedAt = Date.now();
    await expect(adapter.runCheck(check(['sleep', '30']), AbortSignal.timeout(200))).rejects.toMatchObject({
      name: 'TimeoutError',
    });
    expect(Date.now() - startedAt).toBeLessThan(1_500);
  });
});
