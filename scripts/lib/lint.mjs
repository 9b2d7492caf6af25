// ESLint run once over every linted path, with its JSON results kept, so `npm test` can count lint per project
// (test-tally.mjs) without one ESLint start per project.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { relative } from 'node:path';
import { root } from './workspace.mjs';

/**
 * Lints `paths`, prints each problem as `file:line:col  error  message  (rule)`, and returns whether ESLint
 * exited 0 with its results (undefined when it wrote none, as when its config does not load).
 */
export function runEslint(paths, outputFile) {
  rmSync(outputFile, { force: true });
  const eslint = spawnSync('npx', ['eslint', '--format', 'json', '--output-file', outputFile, ...paths], {
    cwd: root,
    stdio: 'inherit',
  });
  let results;
  try {
    results = JSON.parse(readFileSync(outputFile, 'utf8'));
  } catch {
    results = undefined;
  }
  for (const file of results ?? []) {
    for (const message of file.messages) {
      const where = `${relative(root, file.filePath)}:${message.line ?? 0}:${message.column ?? 0}`;
      const severity = message.severity === 2 ? 'error' : 'warning';
      process.stdout.write(`${where}  ${severity}  ${message.message}${message.ruleId ? `  (${message.ruleId})` : ''}\n`);
    }
  }
  return { ok: eslint.status === 0, results };
}
