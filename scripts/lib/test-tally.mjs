// What `npm test` counts in its closing line. Every check is an outcome `{ name, status, reason? }` with status
// passed, failed or skipped: each test in the vitest JSON reports, each report that should exist but does not or
// cannot be read, and each step that is not vitest (build, lint per project, prettier, tsc). The line can then not
// say `0 failed` for a run in which anything failed. Plain Node, no dependencies.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** The report tiers: where vitest writes `<project>.<tier>.json`, and the Nx target that writes it. */
export const tiers = { unit: 'test', int: 'test:int', e2e: 'e2e' };

export const passed = (name) => ({ name, status: 'passed' });
export const failed = (name, reason) => ({ name, status: 'failed', reason });

/**
 * The outcomes of one parsed vitest JSON report; `label` ("bus int") starts each name, `root` shortens file paths.
 *
 * A file whose own run failed (a `beforeAll`/`afterAll` hook threw, or the file did not import) while none of its
 * tests failed is counted as failed by vitest but not in `numFailedTests`. Here each of its tests that did not pass
 * (vitest marks them skipped) counts as one failure, and when that leaves nothing (an `afterAll` after passing tests,
 * or an import error with no tests collected) the file itself counts as one failure.
 */
export function vitestOutcomes(report, { label, root = '' }) {
  if (!Array.isArray(report?.testResults)) return [failed(label, 'the report has no testResults')];
  const outcomes = [];
  for (const file of report.testResults) {
    const where = `${label}: ${root ? relative(root, String(file.name)) : file.name}`;
    const tests = Array.isArray(file.assertionResults) ? file.assertionResults : [];
    const hookFailed = file.status === 'failed' && !tests.some((test) => test.status === 'failed');
    const why = file.message || 'a hook failed';
    for (const test of tests) {
      const name = `${where} > ${test.fullName}`;
      if (test.status === 'passed') outcomes.push(passed(name));
      else if (test.status === 'failed') outcomes.push(failed(name, firstLine(test.failureMessages?.[0])));
      else if (hookFailed) outcomes.push(failed(name, `did not run: ${why}`));
      else outcomes.push({ name, status: 'skipped', reason: test.status });
    }
    if (hookFailed && tests.every((test) => test.status === 'passed')) outcomes.push(failed(where, why));
  }
  // Vitest says success: false with nothing above when it found no test file (passWithNoTests is off).
  if (outcomes.length === 0) return [failed(label, 'no tests ran')];
  if (report.success === false && !outcomes.some((outcome) => outcome.status === 'failed')) {
    outcomes.push(failed(label, 'vitest reported a failure outside the tests'));
  }
  return outcomes;
}

/** The outcomes of one report file; one failure when it is missing, unreadable or not JSON. */
export function reportFileOutcomes(path, { label, root }) {
  let text;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason =
      error.code === 'ENOENT'
        ? 'no report: the task did not run (a dependency failed, or Nx stopped early)'
        : `cannot read ${path}: ${error.message}`;
    return [failed(label, reason)];
  }
  try {
    return vitestOutcomes(JSON.parse(text), { label, root });
  } catch (error) {
    return [failed(label, `${path} is not a JSON report: ${error.message}`)];
  }
}

/**
 * The outcomes of the reports of some tiers in `dir`: one report per (project, tier) whose target the project has,
 * plus any other report of those tiers found there.
 */
export function tierOutcomes(dir, projects, tierNames, { root }) {
  const expected = projects.flatMap((project) =>
    tierNames.filter((tier) => project.targets.includes(tiers[tier])).map((tier) => `${project.name}.${tier}.json`),
  );
  let present = [];
  try {
    present = readdirSync(dir).filter((file) => tierNames.some((tier) => file.endsWith(`.${tier}.json`)));
  } catch {
    // No folder: every expected report is missing, which counts below.
  }
  const files = [...new Set([...expected, ...present])].sort();
  return files.flatMap((file) => {
    const [, project, tier] = /^(.*)\.(\w+)\.json$/.exec(file);
    return reportFileOutcomes(join(dir, file), { label: `${project} ${tier}`, root });
  });
}

/**
 * Lint outcomes from ESLint's JSON formatter: one per project (`lint <name>`), failed when a file under its root
 * has an error, and one (`lint <rest>`) for the linted files outside every project.
 */
export function eslintOutcomes(results, projects, { root, rest = 'scripts and root config' }) {
  if (!Array.isArray(results)) return [failed('lint', 'ESLint wrote no results')];
  const owners = [...projects].sort((a, b) => b.root.length - a.root.length);
  const errors = new Map([...projects.map((project) => [project.name, []]), [rest, []]]);
  for (const file of results) {
    if (!file.errorCount) continue;
    const path = relative(root, file.filePath);
    const owner = owners.find((project) => path.startsWith(`${project.root}/`))?.name ?? rest;
    errors.get(owner).push(`${path} (${file.errorCount})`);
  }
  return [...errors].map(([name, files]) =>
    files.length ? failed(`lint ${name}`, `errors in ${files.join(', ')}`) : passed(`lint ${name}`),
  );
}

/** One outcome for a step that is its own check (prettier, tsc): passed when it exited 0. */
export function stepOutcome(name, ok) {
  return ok ? passed(name) : failed(name, 'failed; its output is above');
}

/**
 * When a step exited with an error that none of its outcomes shows (an unhandled error in a vitest run, an Nx
 * failure before any task), one failure for the step, so that the run cannot end with `0 failed`.
 */
export function unexplainedFailure(step, ok, outcomes) {
  if (ok || outcomes.some((outcome) => outcome.status !== 'passed')) return [];
  return [failed(step, 'exited with an error that no report shows; its output is above')];
}

/**
 * The counts and the closing line. Skipped tests count as failed: the suite has no conditional skips, so a skipped
 * or todo test is one that should have run. The line says how many of the failures were skips.
 */
export function summarize(outcomes) {
  const count = (status) => outcomes.filter((outcome) => outcome.status === status).length;
  const skipped = count('skipped');
  const failures = count('failed') + skipped;
  const line = `tests: ${count('passed')} passed, ${failures} failed${skipped ? ` (${skipped} of them skipped)` : ''}`;
  return { passed: count('passed'), failed: failures, skipped, line };
}

/** One line per outcome that did not pass, to print above the closing line. */
export function problems(outcomes) {
  return outcomes
    .filter((outcome) => outcome.status !== 'passed')
    .map((outcome) =>
      outcome.status === 'skipped'
        ? `SKIPPED ${outcome.name} (${outcome.reason ?? 'skipped'})`
        : `FAILED  ${outcome.name}: ${outcome.reason ?? ''}`,
    );
}

function firstLine(text) {
  return String(text ?? '').split('\n')[0];
}
