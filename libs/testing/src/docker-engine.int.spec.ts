import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDockerEngine, type DockerEngine } from './docker-engine.js';
import { readForwardPolicy, setForwardPolicy, type ForwardPolicy } from './forward-policy.js';
import { requireCommand } from './required-command.js';

// A test that starts a Docker engine leaves the host as it found it: the engine stopped and the FORWARD policy as it
// was. The policy is set to DROP first (what a dockerd with iptables on leaves behind) so that putting it back shows;
// the machine's own policy is restored at the end whatever happens.
let iptables: string;
let original: ForwardPolicy | undefined;
let engine: DockerEngine | undefined;

async function engineAnswers(): Promise<boolean> {
  return promisify(execFile)('docker', ['info', '--format', '{{.ServerVersion}}'], { timeout: 10_000 }).then(
    () => true,
    () => false,
  );
}

beforeAll(async () => {
  iptables = requireCommand('iptables', 'iptables');
  original = await readForwardPolicy(iptables);
  await setForwardPolicy(iptables, 'DROP');
});

afterAll(async () => {
  await engine?.release();
  if (original) await setForwardPolicy(iptables, original);
});

describe('ensureDockerEngine', () => {
  it('opens the FORWARD chain while its engine runs; release() stops the engine and puts the policy back', async () => {
    engine = await ensureDockerEngine();
    // An engine that was already running is used, not started: release() then leaves it and the policy alone.
    expect(await readForwardPolicy(iptables)).toBe(engine.startedHere ? 'ACCEPT' : 'DROP');
    await engine.release();
    expect(await readForwardPolicy(iptables)).toBe('DROP');
    expect(await engineAnswers()).toBe(!engine.startedHere);
  });
});
