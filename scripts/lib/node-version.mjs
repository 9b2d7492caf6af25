// The Node version check that runs before anything else. Written for old Nodes too (no `??`, `?.` or top-level
// await, nothing imported from the other scripts), so that Debian 11's Node 12 gets this one line rather than a
// syntax error from some module.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageJson = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'package.json');

/** True when `version` ("20.20.2") is at least `minimum` ("20.19" or "20.19.1"). */
export function satisfiesMinimum(version, minimum) {
  const have = version.split('.').map(Number);
  const need = minimum.split('.').map(Number);
  for (let i = 0; i < need.length; i += 1) {
    const part = have[i] || 0;
    if (part !== need[i]) return part > need[i];
  }
  return true;
}

/** Exits with one line when this Node is older than package.json's `engines.node` (a `>=X.Y` range). */
export function ensureNodeVersion() {
  const engines = JSON.parse(readFileSync(packageJson, 'utf8')).engines || {};
  const range = String(engines.node || '').trim();
  const match = /^>=\s*(\d+(?:\.\d+){0,2})$/.exec(range);
  if (!match) throw new Error(`package.json engines.node is "${range}"; this check understands only ">=X.Y"`);
  if (satisfiesMinimum(process.versions.node, match[1])) return;
  process.stderr.write(
    `lichen: Node ${process.versions.node} is too old: Lichen needs Node ${range} (package.json engines); install Node ${match[1]} or later\n`,
  );
  process.exit(1);
}
