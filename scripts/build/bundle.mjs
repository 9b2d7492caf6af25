#!/usr/bin/env node
// Bundles the `lichen` command (libs/cli's tsc output, with every service it can run) into
// libs/cli/dist/bundle/: lichen.mjs plus chunks that run with plain `node` and no node_modules, the files the
// one Lichen image copies. Code splitting keeps each service and heavy dependency in a chunk of its own, loaded
// only when `lichen run` starts that service. Usage: node scripts/build/bundle.mjs
//
// tsc has already emitted the decorator metadata NestJS needs, so esbuild only joins files.
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

// Packages that NestJS loads lazily, only when an app picks the feature (a transport, an HTTP platform,
// validation pipes). Those not installed in the workspace stay external: the service never reaches them.
// Those installed (say mqtt, for a service that talks MQTT itself) are bundled like any dependency.
const optionalLazyPackages = [
  '@nestjs/platform-express',
  '@nestjs/platform-fastify',
  '@nestjs/platform-socket.io',
  '@nestjs/platform-ws',
  '@nestjs/websockets',
  '@grpc/grpc-js',
  '@grpc/proto-loader',
  'amqp-connection-manager',
  'amqplib',
  'class-transformer',
  'class-validator',
  'file-type',
  'kafkajs',
  'mqtt',
  'pino-pretty',
];

// A CJS dependency inside an ESM bundle still calls require() for Node built-ins, and some read __dirname.
const banner = [
  "import { createRequire as __lichenCreateRequire } from 'node:module';",
  "import { fileURLToPath as __lichenFileURLToPath } from 'node:url';",
  "import { dirname as __lichenDirname } from 'node:path';",
  'const require = __lichenCreateRequire(import.meta.url);',
  'const __lichen_filename = __lichenFileURLToPath(import.meta.url);',
  'const __lichen_dirname = __lichenDirname(__lichen_filename);',
].join('\n');

const cliRoot = join(root, 'libs', 'cli');
const entry = join(cliRoot, 'dist', 'main.js');
if (!existsSync(entry)) {
  console.error(`${relative(root, entry)} is missing: run \`npx nx run cli:build\` first`);
  process.exit(1);
}
const outdir = join(cliRoot, 'dist', 'bundle');
rmSync(outdir, { recursive: true, force: true });
const isInstalled = (name) => existsSync(join(root, 'node_modules', name, 'package.json'));
// Native addons cannot be bundled: dockerode's ssh2 (for ssh:// engines, which Lichen does not use) loads its
// optional ones inside try/catch, so leaving them out costs nothing.
const external = [...optionalLazyPackages.filter((name) => !isInstalled(name)).flatMap((name) => [name, `${name}/*`]), '*.node'];

const result = await build({
  entryPoints: { lichen: entry },
  outdir,
  outExtension: { '.js': '.mjs' },
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  // Workspace libs resolve to their built dist/ through node_modules symlinks, as at run time.
  conditions: ['node', 'import'],
  mainFields: ['module', 'main'],
  external,
  banner: { js: banner },
  // Only free references are replaced, so a module's own `const __dirname` is left alone.
  define: { __filename: '__lichen_filename', __dirname: '__lichen_dirname' },
  // NestJS reads class names at run time (injection tokens, log context).
  keepNames: true,
  sourcemap: 'linked',
  // Licenses go to THIRD-PARTY-NOTICES.txt beside the bundle, whole, instead of scattered comments.
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
  absWorkingDir: root,
});

writeFileSync(join(outdir, 'THIRD-PARTY-NOTICES.txt'), notices(Object.keys(result.metafile.inputs)));

const outputs = Object.entries(result.metafile.outputs).filter(([file]) => file.endsWith('.mjs'));
const bytes = outputs.reduce((sum, [, output]) => sum + output.bytes, 0);
console.log(`${relative(root, outdir)}: lichen.mjs and ${outputs.length - 1} chunks, ${(bytes / 1024 / 1024).toFixed(1)} MiB`);

/** Name, version, license and license text of every npm package with code in the bundle. */
function notices(inputs) {
  const packageDirs = new Set();
  for (const input of inputs) {
    const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (match) packageDirs.add(match[1]);
  }
  const sections = [...packageDirs].map((dir) => {
    const manifest = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8'));
    const licenseFiles = readdirSync(join(root, dir)).filter((file) => /^(licen[cs]e|copying|notice)/i.test(file));
    const texts = licenseFiles.map((file) => readFileSync(join(root, dir, file), 'utf8').trim());
    const license = typeof manifest.license === 'string' ? manifest.license : JSON.stringify(manifest.license ?? 'UNKNOWN');
    return [`${manifest.name}@${manifest.version} (${license})`, ...texts].join('\n\n');
  });
  sections.sort();
  const rule = `\n\n${'-'.repeat(78)}\n\n`;
  return `lichen.mjs and its chunks contain code from these packages, under these licenses.${rule}${sections.join(rule)}\n`;
}
