import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startNatsServer, type TestNatsServer } from '@lichen/testing';

const lichen = fileURLToPath(new URL('../../bin/lichen.js', import.meta.url));

async function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [lichen, ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

let nats: TestNatsServer;

beforeAll(async () => {
  nats = await startNatsServer();
});

afterAll(async () => {
  await nats?.stop({ removeData: true });
});

describe('lichen health, when nothing answers', () => {
  it('says no health exporter answers on a bus without one, and exits 1', async () => {
    const result = await run('health', '--nats', nats.url, '--timeout', '2000');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('no service answers lichen.health.get (is the health exporter running?');
  });

  it('says NATS cannot be reached, and exits 1', async () => {
    const result = await run('health', '--nats', `nats://127.0.0.1:${await freePort()}`, '--timeout', '1000');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/cannot reach NATS at nats:\/\/127\.0\.0\.1:\d+/);
  });

  it('rejects a bad LICHEN_ variable, naming it', async () => {
    const { code, stderr } = await new Promise<{ code: number; stderr: string }>((resolve) =>
      execFile(
        process.execPath,
        [lichen, 'health'],
        { env: { ...process.env, LICHEN_NATS_URL: 'http://x' } },
        (error, _out, err) => resolve({ code: (error as { code?: number } | null)?.code ?? 0, stderr: err }),
      ),
    );
    expect(code).toBe(1);
    expect(stderr).toContain('LICHEN_NATS_URL: expected a URL (nats, tls)');
  });
});
