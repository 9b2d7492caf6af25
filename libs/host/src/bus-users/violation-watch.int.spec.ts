import { appendFileSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { ViolationWatch } from './violation-watch.js';

const line = (user: string) =>
  `[1] 2026/11/26 18:41:16.328429 [ERR] 127.0.0.1:47038 - cid:6 - "v3" - Publish Violation - User "${user}", Subject "x"\n`;

let dir: string | undefined;
afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

describe('ViolationWatch', () => {
  it('counts what is written after it starts, and empties a log past its limit without losing count', async () => {
    dir = mkdtempSync(join(tmpdir(), 'violations-'));
    const log = join(dir, 'nats-server.log');
    writeFileSync(log, line('before'));
    const watch = new ViolationWatch(log, { intervalMs: 10, truncateAtBytes: 1_000 });
    watch.start();
    for (let index = 0; index < 20; index++) appendFileSync(log, line('component-loop'));
    await sleep(100);
    expect(statSync(log).size).toBe(0);
    appendFileSync(log, line('component-loop'));
    await sleep(100);
    watch.stop();
    expect(watch.of('component-loop').publish).toBe(21);
    expect(watch.of('before').publish).toBe(0);
  });
});
