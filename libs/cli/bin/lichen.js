#!/usr/bin/env node
// The `lichen` command. Builds the CLI on first use in a fresh checkout, then runs it.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'dist', 'main.js');
if (!existsSync(entry)) {
  process.stderr.write('lichen: building the CLI first (npx nx run cli:build)...\n');
  execFileSync('npx', ['nx', 'run', 'cli:build', '--output-style=static'], {
    cwd: join(root, '..', '..'),
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}
await import(pathToFileURL(entry).href);
