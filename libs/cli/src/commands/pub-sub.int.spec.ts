import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bus, type RawMessageMeta } from '@lichen/bus';
import { createLogger } from '@lichen/logging';
import { startNatsServer, waitFor, type TestNatsServer } from '@lichen/testing';

// `lichen sub` and `lichen pub` as an operator uses them together: the sub started first, the pubs once it says
// it is listening, on a nats-server of the test's own.
const lichen = fileURLToPath(new URL('../../bin/lichen.js', import.meta.url));

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function run(args: string[], stdin?: string): Promise<Result> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [lichen, ...args], (error, stdout, stderr) =>
      resolve({ code: (error as { code?: number } | null)?.code ?? 0, stdout, stderr }),
    );
    child.stdin?.end(stdin);
  });
}

const pub = (...args: string[]) => run(['pub', '--nats', nats.url, ...args]);

const children: ChildProcess[] = [];

/** `lichen sub` in the background: resolves once it says it is listening; `done` once it has exited. */
async function startSub(...args: string[]): Promise<{ done: Promise<Result> }> {
  const child = spawn(process.execPath, [lichen, 'sub', '--nats', nats.url, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const done = new Promise<Result>((resolve) => child.once('close', (code) => resolve({ code: code ?? -1, stdout, stderr })));
  await new Promise<void>((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.includes('listening on')) resolve();
    });
    void done.then(() => reject(new Error(`lichen sub exited before listening: ${stderr}`)));
  });
  return { done };
}

let nats: TestNatsServer;
let folder: string;
/** The test's own connection, for publishing on a deadline and for looking at what `lichen pub` sent. */
let bus: Bus;

beforeAll(async () => {
  [nats, folder] = await Promise.all([startNatsServer(), mkdtemp(join(tmpdir(), 'lichen-pub-sub-'))]);
  bus = Bus.connect({ servers: nats.url, name: 'pub-sub-spec', logger: createLogger({ service: 'test', level: 'silent' }) });
  await bus.ready;
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill();
  await bus?.close();
  await nats?.stop({ removeData: true });
  await rm(folder, { recursive: true, force: true });
});

describe('lichen sub with lichen pub', () => {
  it('prints each message as its subject and payload, and stops at --count', async () => {
    const sub = await startSub('x.>', '--count', '2', '--timeout', '20s');
    expect(await pub('x.a', '{"t":1}')).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(await pub('x.b', 'hello')).toEqual({ code: 0, stdout: '', stderr: '' });
    const { code, stdout, stderr } = await sub.done;
    expect(code).toBe(0);
    expect(stdout).toBe('x.a {"t":1}\nx.b hello\n');
    expect(stderr).toBe('listening on x.>\n');
  });

  it('prints a binary payload in base64, and JSON from stdin compact on one line', async () => {
    const file = join(folder, 'frame.bin');
    await writeFile(file, Buffer.from([0xff, 0x00, 0x7f, 0x80]));
    const sub = await startSub('y.*', '--count', '2', '--timeout', '20s');
    expect((await pub('y.frame', `@${file}`)).code).toBe(0);
    expect((await run(['pub', '--nats', nats.url, 'y.json', '-'], '{\n  "t": 1.0\n}\n')).code).toBe(0);
    const { code, stdout } = await sub.done;
    expect(code).toBe(0);
    expect(stdout).toBe('y.frame base64:/wB/gA==\ny.json {"t":1.0}\n');
  });

  it('exits 1 saying how many came when fewer than --count come before the timeout', async () => {
    const sub = await startSub('z.>', '--count', '3', '--timeout', '1s');
    // From the test's connection, not `lichen pub`: two CLI starts on a busy machine could take the whole second.
    bus.publishRaw('z.a', new TextEncoder().encode('one'));
    bus.publishRaw('z.b', new TextEncoder().encode('two'));
    await bus.connection?.flush();
    const { code, stdout, stderr } = await sub.done;
    expect(code).toBe(1);
    expect(stdout).toBe('z.a one\nz.b two\n');
    expect(stderr).toContain('lichen sub: 2 of 3 messages on z.> within 1s');
  });

  it('listens until the timeout without --count, and exits 0 even when nothing came', async () => {
    const sub = await startSub('quiet.>', '--timeout', '500ms');
    expect(await sub.done).toEqual({ code: 0, stdout: '', stderr: 'listening on quiet.>\n' });
  });
});

describe('lichen pub', () => {
  it('sends the headers given with --header, a name given twice with both values', async () => {
    const seen: RawMessageMeta[] = [];
    const off = bus.subscribeRaw('h.test', (_data, meta) => void seen.push(meta));
    await bus.connection?.flush();
    const result = await pub('h.test', 'x', '--header', 'Trace-Id=abc=1', '-H', 'tag=a', '-H', 'tag=b', '--verbose');
    expect(result).toEqual({ code: 0, stdout: 'published 1 byte on h.test\n', stderr: '' });
    await waitFor(() => seen.length === 1, { what: 'the message' });
    expect(seen[0]!.headers?.get('Trace-Id')).toBe('abc=1');
    expect(seen[0]!.headers?.values('tag')).toEqual(['a', 'b']);
    await off();
  });

  it.each([
    ['x.*', '"x.*" has "*" as a token: a subject to publish on has no wildcards'],
    ['x..a', '"x..a" has an empty token'],
    ['x a', '"x a" has white space in it'],
  ])('refuses the subject %j with exit 1', async (subject, message) => {
    const { code, stderr } = await pub(subject, 'hi');
    expect(code).toBe(1);
    expect(stderr).toContain(message);
  });

  it('says which file it cannot read', async () => {
    const { code, stderr } = await pub('x.a', `@${join(folder, 'missing.json')}`);
    expect(code).toBe(1);
    expect(stderr).toBe(`lichen pub: cannot read the payload from ${join(folder, 'missing.json')}: no such file\n`);
  });
});

describe('on a server that denies some subjects', () => {
  let guarded: TestNatsServer;
  let url: string;

  beforeAll(async () => {
    const config = join(folder, 'permissions.conf');
    const denied = '{ deny: ["secret.>"] }';
    await writeFile(
      config,
      `authorization { users = [ { user: op, password: pw, permissions: { publish: ${denied}, subscribe: ${denied} } } ] }\n`,
    );
    guarded = await startNatsServer({ extraArgs: ['-c', config] });
    url = guarded.url.replace('nats://', 'nats://op:pw@');
  });

  afterAll(async () => {
    await guarded?.stop({ removeData: true });
  });

  it('fails a publish the server refuses instead of passing it in silence', async () => {
    const { code, stderr } = await run(['pub', '--nats', url, 'secret.a', 'hi']);
    expect(code).toBe(1);
    expect(stderr).toBe('lichen pub: the NATS server refused: Permissions Violation for Publish to "secret.a"\n');
    expect((await run(['pub', '--nats', url, 'open.a', 'hi'])).code).toBe(0);
  });

  it('fails a subscription the server refuses before saying it listens', async () => {
    const { code, stderr } = await run(['sub', '--nats', url, 'secret.>', '--timeout', '5s']);
    expect(code).toBe(1);
    expect(stderr).toBe('lichen sub: the NATS server refused: Permissions Violation for Subscription to "secret.>"\n');
  });
});
