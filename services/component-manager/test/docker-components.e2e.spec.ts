import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { componentStateName } from '@lichen/contracts';
import { ensureDockerEngine, runCommand, type DockerEngine } from '@lichen/testing';
import { TestDevice } from './device.harness.js';
import { document, runtimeScenarios } from './scenarios.js';

// The component manager with a real Docker engine: components are containers of an image built here, FROM the
// base image scripts/docker/import-base-images.sh makes without a registry.
const root = fileURLToPath(new URL('../../../', import.meta.url));
const image = 'lichen-e2e/sh:1';
let engine: DockerEngine | undefined;

beforeAll(async () => {
  engine = await ensureDockerEngine();
  await runCommand('bash', [join(root, 'scripts/docker/import-base-images.sh'), 'node-base'], { cwd: root });
  const context = await mkdtemp(join(tmpdir(), 'lichen-e2e-image-'));
  await writeFile(join(context, 'Dockerfile'), 'FROM lichen/node-base:local\nCMD ["sleep", "3600"]\n');
  await runCommand('docker', ['build', '-q', '-t', image, context]);
  await rm(context, { recursive: true, force: true });
}, 120_000);

afterAll(async () => {
  await runCommand('docker', ['rmi', '-f', image]).catch(() => undefined);
  await engine?.release();
});

runtimeScenarios({
  kind: 'docker',
  run: (script) => ({ image, command: ['sh', '-c', script] }),
  // A registry on loopback that is not there: the pull fails at once, and nothing leaves the machine.
  uninstallable: { image: '127.0.0.1:5199/lichen-e2e/missing:9' },
  uninstallableCause: '127.0.0.1:5199/lichen-e2e/missing:9',
});

describe('docker components over their memory limit', () => {
  const device = new TestDevice();
  beforeAll(() => device.start(), 60_000);
  afterAll(() => device.stop(), 60_000);

  it('reports an OOM kill as the cause', async () => {
    const hog = {
      image,
      // Over its limit as soon as Node is up, well within the settle time that would call it healthy: growing it
      // step by step raced that settle time on a busy machine, and the deployment could succeed first.
      command: ['node', '-e', 'const kept = [Buffer.alloc(64e6, 1)]; setInterval(() => kept.push(Buffer.alloc(4e6, 1)), 20)'],
      resources: { memory: '32Mi' },
      restart: { policy: 'never' },
    };
    const result = await device.deploy(document('oom', 1, { hog }, { failurePolicy: 'none' }));
    expect(result.stdout + result.stderr).toContain('OOM-killed: over its memory limit of 32Mi');
    const status = await device.waitForState('hog', 'ERRORED');
    expect(status.reason).toBe('OOM-killed: over its memory limit of 32Mi');
    expect(componentStateName(status.state)).toBe('ERRORED');
  });
});
