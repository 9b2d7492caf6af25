#!/usr/bin/env node
// What the one-process runtime costs in memory, idle: `lichen run` with every service, each service alone in
// `lichen run <service>`, any set of them named with --with, and a bare Node process as the floor, side by side
// in interleaved rounds on one NATS and one Redis the benchmark starts. Prints `rss_mb=<median>` for the whole
// runtime first, so every issue can see what its service added, then a table, what each service adds to the
// others (where a measured set lacks just that one), and the ratio to the goal.
//
// Usage: node scripts/bench/footprint.mjs [--rounds N] [--idle-seconds S] [--with a,b] [--json]
//        (after `npx nx run cli:bundle`)
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs, usageError } from './lib/args.mjs';
import { engineAnswers } from './lib/docker.mjs';
import { freePort, loadavgNow } from './lib/host.mjs';
import { rssMb } from './lib/proc-stats.mjs';
import { makeTempDir, start, stopAll, waitForHttp } from './lib/processes.mjs';
import { machineSummary, printReport, table } from './lib/report.mjs';
import { log, runBench, startWatchdog } from './lib/run.mjs';
import { lichenEnvironment, startServers } from './lib/servers.mjs';
import { median } from './lib/stats.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
// The bundle the image ships and `npm start` runs.
const LICHEN_MAIN = join(ROOT, 'libs/cli/dist/bundle/lichen.mjs');
const GOAL_MB = 128;
const USAGE = `usage: node scripts/bench/footprint.mjs [options]

  --rounds N         interleaved rounds, median reported (default 3)
  --idle-seconds S   how long each process idles after it is ready, before its RSS is read (default 10)
  --with A,B         also measure these services together in one \`lichen run A B\` (repeatable)
  --metrics-port P   the /metrics port of every Lichen process, one at a time (default: a free one each)
  --max-seconds S    abort the whole run after S seconds (default 900)
  --json             print the results as JSON

Every process gets the environment (LICHEN_RUNTIMES=process, say, keeps the component manager off Docker).
The component manager uses a Docker engine when one answers on its socket (LICHEN_DOCKER_SOCKET, by default
/var/run/docker.sock); the report says whether one did.
`;

const opts = parseArgs(process.argv.slice(2), {
  name: 'footprint',
  usage: USAGE,
  defaults: { rounds: 3, idleSeconds: 10, metricsPort: 0, maxSeconds: 900, json: false, with: [] },
  integers: {
    '--rounds': ['rounds', 1],
    '--idle-seconds': ['idleSeconds', 1],
    '--metrics-port': ['metricsPort', 1],
    '--max-seconds': ['maxSeconds', 10],
  },
  switches: { '--json': 'json' },
  lists: { '--with': 'with' },
});
// Every process is a device of its own id, so a component manager measured here never touches another's containers.
const DEVICE_ID = `bench-footprint-${process.pid}`;

runBench('footprint', async () => {
  const started = Date.now();
  const loadavgStart = loadavgNow();
  const cancelWatchdog = startWatchdog(opts.maxSeconds);
  if (!existsSync(LICHEN_MAIN)) throw new Error('libs/cli/dist/bundle/lichen.mjs is missing: run `npx nx run cli:bundle` first');
  const services = await serviceNames();
  for (const unknown of opts.with.flat().filter((name) => !services.includes(name)))
    usageError('footprint', `--with names ${unknown}, which lichen run does not know (it knows ${services.join(', ')})`);
  const dockerRuntime = await dockerRuntimeOf(process.env);
  const tmpDir = makeTempDir('lichen-bench-footprint-');
  const servers = await startServers(tmpDir);

  // The subjects, measured in turn within each round: the floor, each service alone, then all together.
  const subjects = [
    { key: 'node', label: 'bare node (floor)', args: ['-e', 'setInterval(() => {}, 1 << 30)'] },
    ...services.map((service) => ({
      key: service,
      label: `lichen run ${service}`,
      services: [service],
      args: [LICHEN_MAIN, 'run', service],
    })),
    ...opts.with.map((set) => ({
      key: set.join('+'),
      label: `lichen run ${set.join(' ')}`,
      services: set,
      args: [LICHEN_MAIN, 'run', ...set],
    })),
    { key: 'all', label: `lichen run (all ${services.length})`, services, args: [LICHEN_MAIN, 'run'] },
  ];
  const samples = Object.fromEntries(subjects.map((subject) => [subject.key, []]));
  for (let round = 1; round <= opts.rounds; round++) {
    for (const subject of subjects) {
      samples[subject.key].push(await idleRss(subject, servers, tmpDir, `${subject.key}-${round}`));
      log(`round ${round}/${opts.rounds}: ${subject.label}: ${samples[subject.key].at(-1).toFixed(1)} MB`);
    }
  }
  cancelWatchdog();
  await stopAll();

  const medians = Object.fromEntries(subjects.map((subject) => [subject.key, median(samples[subject.key])]));
  const report = {
    rssMb: medians.all,
    goalMb: GOAL_MB,
    services: services.length,
    subjects: subjects.map(({ key, label }) => ({ key, label, rssMb: medians[key], samples: samples[key] })),
    added: addedByEach(subjects, medians),
    dockerRuntime,
    environment: {
      cpus: (await import('node:os')).cpus().length,
      loadavgStart,
      loadavgEnd: loadavgNow(),
      node: process.version,
      durationSeconds: (Date.now() - started) / 1000,
    },
    options: opts,
  };
  printReport(report, { json: opts.json, render });
  return 0;
});

function render(report) {
  const rows = report.subjects.map(({ label, rssMb: rss }) => [label, rss.toFixed(1), (rss / report.rssMb).toFixed(2)]);
  return [
    `rss_mb=${report.rssMb.toFixed(1)}`,
    '',
    `idle RSS of the Node process, median of ${report.options.rounds} rounds, ${report.options.idleSeconds} s idle after ready:`,
    table(['process', 'RSS MB', 'ratio to lichen run'], rows),
    ...report.added.map(({ service, mb, over }) => `  ${service} adds ${mb.toFixed(1)} MB to \`lichen run ${over.join(' ')}\``),
    `  component-manager's docker runtime: ${report.dockerRuntime}`,
    '',
    `goal: all five services in one process under ${report.goalMb} MB; now ${report.rssMb.toFixed(1)} MB with ` +
      `${report.services} of them (${report.rssMb < report.goalMb ? `${(report.goalMb - report.rssMb).toFixed(1)} MB left` : 'OVER'})`,
    machineSummary(report.environment),
  ].join('\n');
}

/** Whether a component manager started with `env` loads its Docker client, and why, as the report says it. */
async function dockerRuntimeOf(env) {
  const runtimes = env.LICHEN_RUNTIMES ?? 'auto';
  if (!runtimes.includes('docker') && runtimes !== 'auto') return `off (LICHEN_RUNTIMES=${runtimes})`;
  const socket = env.LICHEN_DOCKER_SOCKET ?? '/var/run/docker.sock';
  return (await engineAnswers(socket))
    ? `on (a Docker engine answers on ${socket})`
    : `off (no Docker engine answers on ${socket})`;
}

/**
 * What each service adds to others in one process: a measured set of services minus a measured set that is the
 * same but for that service (`lichen run` minus all but one; `--with router,component-manager` minus
 * `lichen run component-manager`). Services for which no such pair was measured are left out.
 */
function addedByEach(subjects, medians) {
  const seen = new Set();
  return subjects
    .filter((set) => set.services?.length > 1)
    .flatMap((set) =>
      set.services.flatMap((service) => {
        const others = set.services.filter((name) => name !== service);
        const without = subjects.find(
          (subject) => subject.services?.length === others.length && others.every((name) => subject.services.includes(name)),
        );
        const pair = `${service} over ${[...others].sort().join(' ')}`;
        if (!without || seen.has(pair)) return [];
        seen.add(pair);
        return [{ service, mb: medians[set.key] - medians[without.key], over: others }];
      }),
    );
}

/** Starts one subject, waits until it is ready and has idled, reads its RSS, stops it. */
async function idleRss(subject, servers, tmpDir, name) {
  const metricsPort = opts.metricsPort || (await freePort());
  const env = lichenEnvironment(servers, { dataDir: join(tmpDir, name), deviceId: DEVICE_ID, metricsPort });
  const entry = start(name, process.execPath, subject.args, { cwd: ROOT, env, logDir: tmpDir });
  if (subject.key !== 'node') await waitForHttp(`http://127.0.0.1:${metricsPort}/healthz`, 30_000, entry);
  await sleep(opts.idleSeconds * 1000);
  const rss = rssMb(entry.child.pid);
  entry.child.kill('SIGTERM');
  while (!entry.exited) await sleep(50);
  return rss;
}

/** The services `lichen run` knows, as its help lists them. */
async function serviceNames() {
  const { serviceCatalog } = await import(join(ROOT, 'libs/cli/dist/run/service-catalog.js'));
  return Object.keys(serviceCatalog);
}
