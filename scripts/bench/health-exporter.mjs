#!/usr/bin/env node
// Lichen's health exporter vs Debian's prometheus-node-exporter, side by side.
//
// One run: builds the exporter if needed, starts its own nats-server (JetStream + monitoring on free
// ports) so the Lichen exporter does its full work (host + NATS + Redis), starts both exporters on free
// loopback ports, warms them up, then for each of --rounds rounds measures, interleaved (lichen, node,
// lichen, node, ...):
//   - back-to-back: --scrapes sequential scrapes (full body read) per exporter: latency p50/p99, CPU
//     (utime+stime from /proc/<pid>/stat) per 100 scrapes, RSS (VmRSS) after, body size, sample lines;
//   - paced: --paced scrapes per exporter spaced --pace-ms apart (alternating the two exporters), so
//     that no exporter answers from a cache (the Lichen exporter reuses a host reading for 500 ms and a
//     NATS/Redis reading for 100 ms, which back-to-back scrapes hit nearly every time).
// Prints the medians across rounds as a table (or JSON with --json) and stops everything it started.
// The shared harness (processes, /proc figures, statistics, report, options) is in ./lib.
//
// Plain Node >= 20, no dependencies. Loopback traffic only.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

import { parseArgs } from './lib/args.mjs';
import { firstLine, freePort, loadavgNow, which } from './lib/host.mjs';
import { cpuSeconds, rssMb } from './lib/proc-stats.mjs';
import { assertAlive, logTail, makeTempDir, start, stopAll, waitForHttp } from './lib/processes.mjs';
import { checkTargets, comparisonTable, machineSummary, printReport, targetLines } from './lib/report.mjs';
import { log, runBench, startWatchdog } from './lib/run.mjs';
import { mediansAcrossRounds, percentile, ratiosOf } from './lib/stats.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const LICHEN_MAIN = join(ROOT, 'libs/cli/dist/main.js');
const LICHEN_ARGS = [LICHEN_MAIN, 'run', 'health-exporter'];
const TARGET_P50_MS = 20;
const TARGET_RSS_MB = 80;
const loadavgAtStart = loadavgNow();

// ---------------------------------------------------------------------------------------------- options

const USAGE = `usage: node scripts/bench/health-exporter.mjs [options]

  --rounds N         interleaved rounds, median reported (default 5)
  --scrapes N        back-to-back scrapes per exporter per round (default 200)
  --warmup N         warm-up scrapes per exporter before measuring (default 20)
  --paced N          paced scrapes per exporter per round, 0 to skip (default 20)
  --pace-ms MS       pause between paced scrapes of one exporter (default 600; > the exporter's 500 ms cache)
  --max-seconds S    abort the whole run after S seconds (default 900)
  --json             print the results as JSON instead of a table
  --strict           exit 1 when a target fails
  -h, --help         this text

environment:
  NODE_EXPORTER_BIN  node_exporter binary (default /usr/bin/prometheus-node-exporter)
  NATS_SERVER_BIN    nats-server binary (default: nats-server on PATH)
  LICHEN_REDIS_URL   Redis the Lichen exporter reads (default redis://127.0.0.1:6379)
`;

const OPTIONS = {
  name: 'health-exporter',
  usage: USAGE,
  defaults: { rounds: 5, scrapes: 200, warmup: 20, paced: 20, paceMs: 600, maxSeconds: 900, json: false, strict: false },
  integers: {
    '--rounds': ['rounds', 1],
    '--scrapes': ['scrapes', 1],
    '--warmup': ['warmup', 0],
    '--paced': ['paced', 0],
    '--pace-ms': ['paceMs', 0],
    '--max-seconds': ['maxSeconds', 1],
  },
  switches: { '--json': 'json', '--strict': 'strict' },
};

// ------------------------------------------------------------------------------------------- scraping

// Both exporters are asked for the plain Prometheus text format, uncompressed, over a kept-alive connection.
const SCRAPE_HEADERS = { accept: 'text/plain;version=0.0.4', 'accept-encoding': 'identity' };

async function scrape(url) {
  const t0 = performance.now();
  const response = await fetch(url, { headers: SCRAPE_HEADERS, signal: AbortSignal.timeout(10_000) });
  const body = await response.text();
  const ms = performance.now() - t0;
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return { ms, body };
}

function sampleLines(body) {
  let n = 0;
  for (const line of body.split('\n')) if (line !== '' && !line.startsWith('#')) n++;
  return n;
}

function gauge(body, name) {
  const match = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)`, 'm').exec(body);
  return match ? Number(match[1]) : undefined;
}

async function waitForMetrics(target, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    if (target.proc.exited) throw new Error(`${target.label} exited during start-up:\n${logTail(target.proc)}`);
    try {
      return await scrape(target.url);
    } catch (error) {
      last = error;
      await sleep(200);
    }
  }
  throw new Error(
    `${target.label} did not answer ${target.url} within ${timeoutMs / 1000}s (${last?.message}):\n${logTail(target.proc)}`,
  );
}

// ------------------------------------------------------------------------------------------ measuring

/** `count` sequential scrapes, each right after the previous one. */
async function backToBack(target, count) {
  assertAlive(target.proc, target.label);
  const latencies = [];
  let body = '';
  const cpu0 = cpuSeconds(target.pid);
  for (let i = 0; i < count; i++) {
    const result = await scrape(target.url);
    latencies.push(result.ms);
    body = result.body;
  }
  const cpu = cpuSeconds(target.pid) - cpu0;
  const rss = rssMb(target.pid);
  latencies.sort((a, b) => a - b);
  return {
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    cpuSecondsPer100: (cpu / count) * 100,
    rssMb: rss,
    series: sampleLines(body),
    bodyKb: Buffer.byteLength(body) / 1024,
  };
}

/** `count` scrapes of each target, alternating, with `paceMs` between two scrapes of the same target. */
async function paced(targets, count, paceMs) {
  for (const target of targets) assertAlive(target.proc, target.label);
  const latencies = targets.map(() => []);
  const cpu0 = targets.map((t) => cpuSeconds(t.pid));
  for (let i = 0; i < count; i++) {
    for (const [k, target] of targets.entries()) latencies[k].push((await scrape(target.url)).ms);
    await sleep(paceMs);
  }
  return targets.map((target, k) => {
    const sorted = latencies[k].sort((a, b) => a - b);
    return {
      pacedP50Ms: percentile(sorted, 50),
      pacedMaxMs: sorted[sorted.length - 1],
      pacedCpuSecondsPer100: ((cpuSeconds(target.pid) - cpu0[k]) / count) * 100,
    };
  });
}

// ------------------------------------------------------------------------------------------- reporting

const ROWS = [
  ['p50Ms', 'scrape p50 ms (back-to-back)', 2],
  ['p99Ms', 'scrape p99 ms (back-to-back)', 2],
  ['cpuSecondsPer100', 'CPU s per 100 scrapes (back-to-back)', 3],
  ['pacedP50Ms', 'scrape p50 ms (paced, no cache)', 2],
  ['pacedMaxMs', 'scrape max ms (paced, no cache)', 2],
  ['pacedCpuSecondsPer100', 'CPU s per 100 scrapes (paced, incl. idle)', 3],
  ['rssMb', 'RSS MB', 1],
  ['series', 'series (sample lines)', 0],
  ['bodyKb', 'body KB', 1],
];

const LICHEN = { key: 'lichen', label: 'lichen' };
const NODE_EXPORTER = { key: 'nodeExporter', label: 'node_exporter' };

function render(report) {
  const { settings, environment, setup, medians, ratios, targets } = report;
  const out = [];
  out.push(`Lichen health exporter vs prometheus-node-exporter — medians of ${settings.rounds} interleaved rounds`);
  out.push(
    `  per round and exporter: ${settings.scrapes} back-to-back scrapes` +
      (settings.paced ? `, then ${settings.paced} paced scrapes ${settings.paceMs} ms apart` : '') +
      `; warm-up ${settings.warmup} scrapes; plain text, no gzip, keep-alive`,
  );
  out.push(`  lichen:        ${setup.lichen.command}`);
  out.push(
    `                 full work: host (/proc, /sys) + NATS (own nats-server ${environment.natsServer}, ` +
      `client ${setup.nats.clientUrl}, JetStream on, monitoring ${setup.nats.monitorUrl}) + Redis (${setup.lichen.redisUrl})`,
  );
  out.push(
    `                 at start: lichen_nats_up=${setup.lichen.natsUp ?? '?'} lichen_redis_up=${setup.lichen.redisUp ?? '?'}`,
  );
  out.push(`  node_exporter: ${setup.nodeExporter.command} (${environment.nodeExporter}, default collectors)`);
  out.push(`  machine:       ${machineSummary(environment)}`);
  out.push('');
  out.push(comparisonTable(ROWS, medians, ratios, LICHEN, NODE_EXPORTER));
  out.push('');
  out.push(targetLines('lichen', targets));
  return out.join('\n');
}

// ------------------------------------------------------------------------------------------------ main

async function main() {
  const opts = parseArgs(process.argv.slice(2), OPTIONS);
  const began = Date.now();
  const cancelWatchdog = startWatchdog(opts.maxSeconds);

  const nodeExporterBin = process.env.NODE_EXPORTER_BIN ?? '/usr/bin/prometheus-node-exporter';
  if (!existsSync(nodeExporterBin)) {
    throw new Error(
      `${nodeExporterBin} not found: install it with \`apt-get install -y prometheus-node-exporter\` or set NODE_EXPORTER_BIN`,
    );
  }
  const natsBin = process.env.NATS_SERVER_BIN ?? which('nats-server');
  if (!natsBin) throw new Error('nats-server not found on PATH: install it or set NATS_SERVER_BIN');

  if (!existsSync(LICHEN_MAIN)) {
    log('libs/cli/dist/main.js is missing: building it (npx nx run cli:build)');
    const build = spawnSync('npx', ['nx', 'run', 'cli:build'], {
      cwd: ROOT,
      stdio: ['ignore', 2, 2],
      timeout: 600_000,
    });
    if (build.status !== 0 || !existsSync(LICHEN_MAIN))
      throw new Error(`the build failed (status ${build.status ?? build.signal})`);
  }

  const tmpDir = makeTempDir('lichen-bench-health-exporter-');
  const [natsPort, natsMonitorPort, lichenPort, nodePort] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const redisUrl = process.env.LICHEN_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const natsUrl = `nats://127.0.0.1:${natsPort}`;
  const natsMonitorUrl = `http://127.0.0.1:${natsMonitorPort}`;
  const spawnOptions = (env) => ({ cwd: ROOT, env, logDir: tmpDir });

  // Our own NATS, with JetStream and the monitoring endpoint, so the Lichen exporter reads /varz and /jsz.
  const natsArgs = [
    '-a',
    '127.0.0.1',
    '-p',
    String(natsPort),
    '-m',
    String(natsMonitorPort),
    '-js',
    '-sd',
    join(tmpDir, 'jetstream'),
    '-n',
    'lichen-bench',
  ];
  const nats = start('nats-server', natsBin, natsArgs, spawnOptions(process.env));
  await waitForHttp(`${natsMonitorUrl}/varz`, 15_000, nats);

  // Started after NATS, so stopAll() stops the exporters (closing their NATS/Redis connections) before it.
  const lichenEnv = {
    ...process.env,
    LICHEN_DATA_DIR: join(tmpDir, 'lichen'),
    LICHEN_METRICS_HOST: '127.0.0.1',
    LICHEN_METRICS_PORT: String(lichenPort),
    LICHEN_NATS_URL: natsUrl,
    LICHEN_NATS_MONITOR_URL: natsMonitorUrl,
    LICHEN_REDIS_URL: redisUrl,
    LICHEN_HEARTBEAT_INTERVAL: process.env.LICHEN_HEARTBEAT_INTERVAL ?? '30s',
    LICHEN_LOG_LEVEL: process.env.LICHEN_LOG_LEVEL ?? 'warn',
  };
  const lichenProc = start('lichen', process.execPath, LICHEN_ARGS, spawnOptions(lichenEnv));
  const nodeArgs = [`--web.listen-address=127.0.0.1:${nodePort}`];
  const nodeProc = start('node_exporter', nodeExporterBin, nodeArgs, spawnOptions(process.env));

  const lichen = {
    key: LICHEN.key,
    label: 'lichen health exporter',
    proc: lichenProc,
    pid: lichenProc.child.pid,
    url: `http://127.0.0.1:${lichenPort}/metrics`,
  };
  const node = {
    key: NODE_EXPORTER.key,
    label: 'node_exporter',
    proc: nodeProc,
    pid: nodeProc.child.pid,
    url: `http://127.0.0.1:${nodePort}/metrics`,
  };
  const targets = [lichen, node];

  await Promise.all(targets.map((t) => waitForMetrics(t, 30_000)));
  // The bus connection and the first probes settle asynchronously: give them a moment before checking.
  let first;
  for (let i = 0; i < 25; i++) {
    first = (await scrape(lichen.url)).body;
    if (gauge(first, 'lichen_nats_up') === 1 && gauge(first, 'lichen_redis_up') === 1) break;
    await sleep(200);
  }
  const natsUp = gauge(first, 'lichen_nats_up');
  const redisUp = gauge(first, 'lichen_redis_up');
  if (natsUp !== 1)
    log(
      `warning: lichen_nats_up=${natsUp}: the Lichen exporter does not reach ${natsMonitorUrl}; its figures lack the NATS work`,
    );
  if (redisUp !== 1)
    log(`warning: lichen_redis_up=${redisUp}: the Lichen exporter does not reach ${redisUrl}; its figures lack the Redis work`);

  log(`warming up: ${opts.warmup} scrapes each`);
  for (const target of targets) for (let i = 0; i < opts.warmup; i++) await scrape(target.url);

  const rounds = [];
  for (let r = 1; r <= opts.rounds; r++) {
    const round = { round: r };
    for (const target of targets) round[target.key] = await backToBack(target, opts.scrapes);
    if (opts.paced > 0) {
      const results = await paced(targets, opts.paced, opts.paceMs);
      targets.forEach((t, k) => Object.assign(round[t.key], results[k]));
    }
    rounds.push(round);
    const brief = (m) =>
      `p50 ${m.p50Ms.toFixed(2)} ms p99 ${m.p99Ms.toFixed(2)} ms cpu/100 ${m.cpuSecondsPer100.toFixed(3)} s rss ${m.rssMb.toFixed(1)} MB` +
      (m.pacedP50Ms !== undefined ? ` paced p50 ${m.pacedP50Ms.toFixed(2)} ms` : '');
    log(`round ${r}/${opts.rounds}: lichen ${brief(round.lichen)} | node_exporter ${brief(round.nodeExporter)}`);
  }

  const keys = ROWS.map(([key]) => key).filter((key) => rounds[0].lichen[key] !== undefined);
  const sides = targets.map((t) => t.key);
  const medians = mediansAcrossRounds(rounds, sides, keys);
  const verdicts = checkTargets([
    { name: `scrape p50 under ${TARGET_P50_MS} ms (back-to-back)`, limit: TARGET_P50_MS, value: medians.lichen.p50Ms },
    ...(opts.paced > 0
      ? [
          {
            name: `scrape p50 under ${TARGET_P50_MS} ms (paced, no cache)`,
            limit: TARGET_P50_MS,
            value: medians.lichen.pacedP50Ms,
          },
        ]
      : []),
    { name: `RSS under ${TARGET_RSS_MB} MB`, limit: TARGET_RSS_MB, value: medians.lichen.rssMb },
  ]);

  const report = {
    settings: { rounds: opts.rounds, scrapes: opts.scrapes, warmup: opts.warmup, paced: opts.paced, paceMs: opts.paceMs },
    environment: {
      node: process.version,
      nodeExporter: firstLine(nodeExporterBin, ['--version']),
      natsServer: firstLine(natsBin, ['--version']).replace(/^nats-server:\s*/, ''),
      cpus: cpus().length,
      loadavgStart: loadavgAtStart,
      loadavgEnd: loadavgNow(),
      durationSeconds: (Date.now() - began) / 1000,
    },
    setup: {
      nats: { command: [natsBin, ...natsArgs].join(' '), clientUrl: natsUrl, monitorUrl: natsMonitorUrl },
      lichen: {
        command: `node ${LICHEN_MAIN.slice(ROOT.length + 1)} run health-exporter`,
        url: lichen.url,
        redisUrl,
        natsUp,
        redisUp,
      },
      nodeExporter: { command: [nodeExporterBin, ...nodeArgs].join(' '), url: node.url },
    },
    units: {
      latency: 'ms',
      cpu: 'CPU seconds (utime+stime) per 100 scrapes',
      rss: 'MB = VmRSS kB / 1024',
      body: 'KB = bytes / 1024',
    },
    medians,
    ratios: ratiosOf(medians.lichen, medians.nodeExporter, keys),
    targets: verdicts,
    rounds,
  };
  cancelWatchdog();
  await stopAll();
  printReport(report, { json: opts.json, render });
  return opts.strict && verdicts.some((t) => !t.pass) ? 1 : 0;
}

runBench('health-exporter', main);
