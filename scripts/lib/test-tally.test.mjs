// The closing line of `npm test`, checked on vitest JSON reports recorded with vitest 4.1 from throwaway specs
// (samples/, trimmed to the fields that matter here):
//   vitest-mixed.json         a file with a passing, a failing, an it.skip, an it.todo and an it.skipIf(true) test,
//                             and a file that passes
//   vitest-failed-hooks.json  files whose beforeAll threw, whose afterAll threw, that threw on import, and whose
//                             nested describe's beforeAll threw beside a passing test
//   vitest-no-tests.json      a run that found no test file
// Alone: node --test scripts/lib/test-tally.test.mjs (not `node --test scripts/`: given a folder, Node 20 runs every
// .mjs in it, test.mjs too).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  eslintOutcomes,
  problems,
  reportFileOutcomes,
  stepOutcome,
  summarize,
  tierOutcomes,
  unexplainedFailure,
  vitestOutcomes,
} from './test-tally.mjs';

const samples = new URL('./samples/', import.meta.url);
const sample = (name) => JSON.parse(readFileSync(new URL(name, samples), 'utf8'));
const statuses = (outcomes) => outcomes.map(({ name, status }) => `${status} ${name}`);

describe('a vitest report', () => {
  it('counts passed and failed tests, and skip, todo and skipIf as skipped', () => {
    const outcomes = vitestOutcomes(sample('vitest-mixed.json'), { label: 'sample unit', root: '/repo' });
    assert.deepEqual(statuses(outcomes), [
      'passed sample unit: libs/sample/mixed/mixed.spec.ts > mixed passes',
      'failed sample unit: libs/sample/mixed/mixed.spec.ts > mixed fails',
      'skipped sample unit: libs/sample/mixed/mixed.spec.ts > mixed is skipped',
      'skipped sample unit: libs/sample/mixed/mixed.spec.ts > mixed is todo',
      'skipped sample unit: libs/sample/mixed/mixed.spec.ts > mixed is skipped by a condition',
      'passed sample unit: libs/sample/mixed/passing.spec.ts > adds',
    ]);
    assert.match(outcomes[1].reason, /expected 1 to be 2/);
  });

  it('counts the tests a failed hook kept from running as failed, and a file that failed on its own once', () => {
    const outcomes = vitestOutcomes(sample('vitest-failed-hooks.json'), { label: 'sample int', root: '/repo' });
    assert.deepEqual(statuses(outcomes), [
      'passed sample int: libs/sample/hooks/after-all.spec.ts > runs',
      'failed sample int: libs/sample/hooks/after-all.spec.ts',
      'failed sample int: libs/sample/hooks/before-all.spec.ts > needs a server one',
      'failed sample int: libs/sample/hooks/before-all.spec.ts > needs a server two',
      'failed sample int: libs/sample/hooks/import-error.spec.ts',
      'passed sample int: libs/sample/hooks/nested-hook.spec.ts > outside passes',
      'failed sample int: libs/sample/hooks/nested-hook.spec.ts > inner inner one',
    ]);
    assert.equal(outcomes[1].reason, 'cannot stop the engine');
    assert.equal(outcomes[2].reason, 'did not run: nats-server not found');
    assert.equal(outcomes[4].reason, 'cannot load the module');
  });

  it('fails a run that found no tests, and a report without test results', () => {
    assert.deepEqual(statuses(vitestOutcomes(sample('vitest-no-tests.json'), { label: 'x e2e' })), ['failed x e2e']);
    assert.deepEqual(statuses(vitestOutcomes({ numPassedTests: 3 }, { label: 'x e2e' })), ['failed x e2e']);
  });

  it('fails a report that says success: false when none of its tests failed', () => {
    const report = { ...sample('vitest-mixed.json'), success: false };
    report.testResults = report.testResults.slice(1);
    assert.deepEqual(statuses(vitestOutcomes(report, { label: 'x unit' })).at(-1), 'failed x unit');
  });
});

describe('the reports of a tier', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lichen-tally-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'unreadable.int.json'));
  writeFileSync(join(dir, 'broken.int.json'), '{"testResults": [');
  writeFileSync(join(dir, 'good.int.json'), readFileSync(new URL('vitest-mixed.json', samples)));
  writeFileSync(join(dir, 'good.unit.json'), readFileSync(new URL('vitest-mixed.json', samples)));
  const projects = [
    { name: 'good', targets: ['test', 'test:int'] },
    { name: 'never-ran', targets: ['test:int', 'e2e'] },
    { name: 'broken', targets: ['test:int'] },
    { name: 'unreadable', targets: ['test:int'] },
    { name: 'no-int', targets: ['test'] },
  ];

  it('expects one report per project with the target, and fails a missing, unreadable or broken one', () => {
    const outcomes = tierOutcomes(dir, projects, ['int'], { root: '/repo' });
    const notFromGood = outcomes.filter((outcome) => !outcome.name.startsWith('good int:'));
    assert.deepEqual(statuses(notFromGood), ['failed broken int', 'failed never-ran int', 'failed unreadable int']);
    assert.match(notFromGood[0].reason, /is not a JSON report/);
    assert.match(notFromGood[1].reason, /^no report: the task did not run/);
    assert.match(notFromGood[2].reason, /^cannot read/);
    assert.equal(outcomes.length - notFromGood.length, 6);
  });

  it('counts a report nobody expected too', () => {
    const outcomes = tierOutcomes(dir, [], ['unit'], { root: '/repo' });
    assert.equal(outcomes.length, 6);
    assert.ok(outcomes.every((outcome) => outcome.name.startsWith('good unit: ')));
  });

  it('reads one report file by path', () => {
    const [outcome] = reportFileOutcomes(join(dir, 'absent.e2e.json'), { label: 'absent e2e' });
    assert.equal(outcome.status, 'failed');
  });
});

describe('lint', () => {
  const projects = [
    { name: 'cli', root: 'libs/cli' },
    { name: 'config', root: 'libs/config' },
    { name: 'c', root: 'libs/c' },
  ];
  // ESLint's JSON formatter: one entry per linted file.
  const results = [
    { filePath: '/repo/libs/cli/bin/lichen.js', errorCount: 0, warningCount: 1, messages: [] },
    { filePath: '/repo/libs/config/src/load.ts', errorCount: 2, warningCount: 0, messages: [] },
    { filePath: '/repo/scripts/test.mjs', errorCount: 1, warningCount: 0, messages: [] },
  ];

  it('is one check per project, failed by an error in a file under its root, and one for the rest', () => {
    assert.deepEqual(statuses(eslintOutcomes(results, projects, { root: '/repo' })), [
      'passed lint cli',
      'failed lint config',
      'passed lint c',
      'failed lint scripts and root config',
    ]);
  });

  it('fails when ESLint wrote nothing usable', () => {
    assert.deepEqual(statuses(eslintOutcomes(undefined, projects, { root: '/repo' })), ['failed lint']);
  });
});

describe('the closing line', () => {
  it('counts skipped tests among the failed, so a run with a skip never says 0 failed', () => {
    const outcomes = [stepOutcome('prettier', true), { name: 'a > b', status: 'skipped', reason: 'todo' }];
    assert.equal(summarize(outcomes).line, 'tests: 1 passed, 1 failed (1 of them skipped)');
    assert.deepEqual(problems(outcomes), ['SKIPPED a > b (todo)']);
  });

  it('says 0 failed only when everything passed', () => {
    assert.equal(summarize([stepOutcome('prettier', true), stepOutcome('tsc specs', true)]).line, 'tests: 2 passed, 0 failed');
    assert.equal(summarize([stepOutcome('prettier', false)]).line, 'tests: 0 passed, 1 failed');
  });

  it('adds a failure for a step that failed without a failing outcome', () => {
    const quiet = [stepOutcome('x', true)];
    assert.deepEqual(statuses(unexplainedFailure('nx test', false, quiet)), ['failed nx test']);
    assert.deepEqual(unexplainedFailure('nx test', false, [stepOutcome('x', false)]), []);
    assert.deepEqual(unexplainedFailure('nx test', true, quiet), []);
  });
});
