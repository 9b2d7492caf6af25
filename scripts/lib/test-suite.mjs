// The steps of `npm test` (started by scripts/test.mjs once Node is new enough). Installs the Debian packages the
// tests use (as root; otherwise says the command to run), npm dependencies, then builds, runs the unit tests, the
// scripts' own tests, lint, format and type checks, then the integration and end-to-end tests, each of which starts
// the servers it needs. Ends with one line that counts every check (test-tally.mjs); exits 1 when any failed.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDebianPackages } from './debian-packages.mjs';
import { runEslint } from './lint.mjs';
import { findNodeTests, runNodeTests } from './node-tests.mjs';
import { readProjects } from './projects.mjs';
import { eslintOutcomes, failed, problems, stepOutcome, summarize, tierOutcomes, unexplainedFailure } from './test-tally.mjs';
import { ensureDependencies, root, run, say } from './workspace.mjs';

// Their own NATS and Redis, Prometheus and promtool, a Docker engine and docker-compose 1.29, a local registry
// (docker-registry) for the component manager's pull path, busybox-static for
// the images' base, iptables for the engine's FORWARD policy, CA certificates, and unzip for the helm binary that
// scripts/tools/helm.sh unpacks; Mosquitto as the sync agent's cloud, and openssl for its test certificates.
const debianPackages = [
  'nats-server',
  'redis-server',
  'prometheus',
  'docker.io',
  'docker-compose',
  'docker-registry',
  'busybox-static',
  'iptables',
  'ca-certificates',
  'unzip',
  'mosquitto',
  'openssl',
];

const results = join(root, '.lichen', 'test-results');

try {
  ensureDebianPackages(debianPackages);
  ensureDependencies();
} catch (error) {
  say(error.message);
  process.exit(1);
}
rmSync(results, { recursive: true, force: true });
mkdirSync(results, { recursive: true });

/** Runs a command with its output shown; false (and why, in one line) when it fails. */
function succeeds(command, args) {
  try {
    run(command, args);
    return true;
  } catch (error) {
    say(error.message);
    return false;
  }
}
const nx = (...args) => succeeds('npx', ['nx', 'run-many', ...args, '--output-style=stream']);

const outcomes = [];
/** A step's outcomes, and one more failure when the step failed but none of them shows it. */
function record(step, ok, stepOutcomes) {
  outcomes.push(...stepOutcomes, ...unexplainedFailure(step, ok, stepOutcomes));
}

let projects = [];
try {
  projects = readProjects();
} catch (error) {
  outcomes.push(failed('nx project graph', error.message));
}

// Built first, so that a broken build is one failure of its own, before the tests that need it go missing.
outcomes.push(stepOutcome('build', nx('-t', 'build')));
record('nx -t test', nx('-t', 'test'), tierOutcomes(results, projects, ['unit'], { root }));
outcomes.push(...(await runNodeTests(findNodeTests(join(root, 'scripts')), { root })));

// ESLint once over what each project's lint target covers, plus what no project owns: the scripts and root config.
const linted = projects.filter((project) => project.targets.includes('lint'));
const eslint = runEslint(
  [...linted.map((project) => project.root), 'scripts', 'vitest.config.ts', 'eslint.config.mjs'],
  join(results, 'eslint.json'),
);
record('eslint', eslint.ok, eslintOutcomes(eslint.results, linted, { root }));
outcomes.push(stepOutcome('prettier', succeeds('npx', ['prettier', '--check', '.'])));
// Specs are not compiled by the build and vitest does not type-check: check them all at once.
outcomes.push(stepOutcome('tsc specs', succeeds('npx', ['tsc', '-p', 'tsconfig.spec.json'])));

// Integration and end-to-end tests start servers and a Docker engine: one project at a time.
record(
  'nx -t test:int e2e',
  nx('-t', 'test:int', 'e2e', '--parallel=1'),
  tierOutcomes(results, projects, ['int', 'e2e'], { root }),
);

const summary = summarize(outcomes);
process.stdout.write(`\n${[...problems(outcomes), summary.line].join('\n')}\n`);
process.exit(summary.failed > 0 ? 1 : 0);
