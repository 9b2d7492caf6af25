// The scripts' own tests. They use node:test, not vitest: scripts run before `npm install`, so their tests must too.
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { run } from 'node:test';
import { spec } from 'node:test/reporters';

/** The `*.test.mjs` files under `dir`, as `node --test` would find them. */
export function findNodeTests(dir) {
  return readdirSync(dir, { recursive: true })
    .filter((file) => file.endsWith('.test.mjs') && !file.split('/').includes('node_modules'))
    .map((file) => join(dir, file))
    .sort();
}

/**
 * Runs node:test files, shows node's spec output, and returns one outcome per test (see test-tally.mjs). A file
 * that does not load is one failed test; a suite counts only when it failed on its own (a hook), not because a
 * test in it failed.
 */
export async function runNodeTests(files, { root, label = 'scripts' }) {
  if (files.length === 0) return [{ name: label, status: 'failed', reason: 'no *.test.mjs file found' }];
  const outcomes = [];
  const nameOf = (data) => `${label}: ${relative(root, data.file ?? '')}${data.name === data.file ? '' : ` > ${data.name}`}`;
  const stream = run({ files });
  stream.on('test:pass', (data) => {
    if (data.details?.type === 'suite') return;
    if (data.skip === undefined && data.todo === undefined) outcomes.push({ name: nameOf(data), status: 'passed' });
    else outcomes.push({ name: nameOf(data), status: 'skipped', reason: data.todo === undefined ? 'skip' : 'todo' });
  });
  stream.on('test:fail', (data) => {
    const error = data.details?.error;
    if (data.details?.type === 'suite' && error?.failureType === 'subtestsFailed') return;
    const reason = String(error?.cause?.message ?? error?.message).split('\n')[0];
    outcomes.push({ name: nameOf(data), status: 'failed', reason });
  });
  for await (const chunk of stream.compose(new spec())) process.stdout.write(chunk);
  return outcomes;
}
