// The workspace's Nx projects, for `npm test` to know which reports to expect and whose lint errors are whose.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from './workspace.mjs';

/**
 * Every Nx project as `{ name, root, targets }`, from `nx graph --file`: one Nx call, and the targets as Nx sees
 * them (declared in project.json or inferred), which is what `nx run-many -t <target>` runs.
 */
export function readProjects() {
  const dir = mkdtempSync(join(tmpdir(), 'lichen-graph-'));
  try {
    const file = join(dir, 'graph.json');
    run('npx', ['nx', 'graph', `--file=${file}`], { stdio: ['ignore', 'ignore', 'inherit'] });
    const { graph } = JSON.parse(readFileSync(file, 'utf8'));
    return Object.entries(graph.nodes)
      .map(([name, node]) => ({ name, root: node.data.root, targets: Object.keys(node.data.targets ?? {}) }))
      .sort((a, b) => a.name.localeCompare(b.name));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
