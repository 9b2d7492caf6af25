// `npm test`: the whole suite on a fresh clone: dependencies, build, the machine's NATS and Redis (started if
// absent), then lint and unit tests, integration tests, and end-to-end tests (real Prometheus, Docker).
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDependencies, ensureServers, root, run, say } from './lib/workspace.mjs';

const results = join(root, '.lichen', 'test-results');
const nx = (...args) => run('npx', ['nx', 'run-many', ...args, '--output-style=stream']);

ensureDependencies();
rmSync(results, { recursive: true, force: true });
mkdirSync(results, { recursive: true });
const stopServers = await ensureServers();

const failures = [];
const steps = [
  () => nx('-t', 'lint', 'test'),
  // What no project owns: the scripts and the root config, and the formatting of everything.
  () => run('npx', ['eslint', 'scripts', 'libs/cli/bin', 'vitest.config.ts', 'eslint.config.mjs']),
  () => run('npx', ['prettier', '--check', '.']),
  // Specs are not compiled by the build and vitest does not type-check: check them all at once.
  () => run('npx', ['tsc', '-p', 'tsconfig.spec.json']),
  // Integration and end-to-end tests share this machine's servers and cores: one project at a time.
  () => nx('-t', 'test:int', 'e2e', '--parallel=1'),
];
for (const step of steps) {
  try {
    step();
  } catch (error) {
    failures.push(error.message);
  }
}
await stopServers();

let passed = 0;
let failed = 0;
let skipped = 0;
for (const file of readdirSync(results).filter((name) => name.endsWith('.json'))) {
  const report = JSON.parse(readFileSync(join(results, file), 'utf8'));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += report.numPendingTests + report.numTodoTests;
}
for (const failure of failures) say(failure);
process.stdout.write(`\ntests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
process.exit(failures.length || failed > 0 ? 1 : 0);
