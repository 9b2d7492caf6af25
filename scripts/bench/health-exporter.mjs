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
//
// Plain Node >= 20, no dependencies. Loopback traffic only.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, openSync, closeSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const EXPORTER_MAIN = join(ROOT, 'services/health-exporter/dist/main.js');
const CLK_TCK = 100; // USER_HZ: /proc/<pid>/stat times are in 1/100 s on Linux
const TARGET_P50_MS = 20;
const TARGET_RSS_MB = 80;
const loadavgAtStart = loadavg().map((l) => l.toFixed(2));

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

function parseArgs(argv) {
  const opts = { rounds: 5, scrapes: 200, warmup: 20, paced: 20, paceMs: 600, maxSeconds: 900, json: false, strict: false };
  const ints = {
    '--rounds': 'rounds',
    '--scrapes': 'scrapes',
    '--warmup': 'warmup',
    '--paced': 'paced',
    '--pace-ms': 'paceMs',
    '--max-seconds': 'maxSeconds',
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    if (flag === '-h' || flag === '--help') {
      process.stdout.write(USAGE);
      process.exit(0);
    } else if (flag === '--json') opts.json = true;
    else if (flag === '--strict') opts.strict = true;
    else if (flag in ints) {
      const raw = inline ?? argv[++i];
      const value = Number(raw);
      const min = ['rounds', 'scrapes', 'maxSeconds'].includes(ints[flag]) ? 1 : 0;
      if (!Number.isInteger(value) || value < min) fail(`${flag} expects an integer >= ${min}, got ${raw ?? 'nothing'}`);
      opts[ints[flag]] = value;
    } else fail(`unknown option ${arg}\n\n${USAGE}`);
  }
  return opts;
}

function fail(message) {
  process.stderr.write(`health-exporter bench: ${message}\n`);
  process.exit(2);
}

const log = (message) => process.stderr.write(`${message}\n`);

// ------------------------------------------------------------------------------ processes and cleanup

const children = []; // { name, child, logPath }
let tmpDir;
let cleaning;
let stopping = false; // set by a signal or the watchdog: later errors are consequences, not news

function start(name, command, args, env) {
  const logPath = join(tmpDir, `${name}.log`);
  const fd = openSync(logPath, 'a');
  const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const entry = { name, child, logPath, exited: false };
  child.on('exit', () => (entry.exited = true));
  child.on('error', (error) => {
    entry.exited = true;
    entry.error = error;
  });
  children.push(entry);
  return entry;
}

function logTail(entry, lines = 15) {
  try {
    return readFileSync(entry.logPath, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

async function stopAll() {
  cleaning ??= (async () => {
    // Exporters first (they close their NATS/Redis connections), the NATS server last.
    for (const entry of [...children].reverse()) {
      if (entry.exited || entry.child.exitCode !== null || entry.child.pid === undefined) continue;
      entry.child.kill('SIGTERM');
      const deadline = Date.now() + 5_000;
      while (!entry.exited && Date.now() < deadline) await sleep(50);
      if (!entry.exited) entry.child.kill('SIGKILL');
    }
    removeTmp();
  })();
  return cleaning;
}

function removeTmp() {
  if (tmpDir) rmSync(tmpDir, { recursive: true, force: true });
  tmpDir = undefined;
}

// Last resort when the process goes away without running stopAll (synchronous only).
process.on('exit', () => {
  for (const entry of children) if (!entry.exited && entry.child.exitCode === null) entry.child.kill('SIGKILL');
  removeTmp();
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    stopping = true;
    log(`\n${signal}: stopping everything the benchmark started`);
    stopAll().finally(() => process.exit(130));
  });
}

// ---------------------------------------------------------------------------------------------- helpers

async function freePort() {
  for (;;) {
    const port = await new Promise((ok, ko) => {
      const server = createServer();
      server.once('error', ko);
      server.listen(0, '127.0.0.1', () => {
        const { port } = server.address();
        server.close(() => ok(port));
      });
    });
    if (port !== 9100) return port;
  }
}

function which(binary) {
  const found = spawnSync('sh', ['-c', `command -v "$1"`, 'sh', binary], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : undefined;
}

function firstLine(command, args) {
  const out = spawnSync(command, args, { encoding: 'utf8', timeout: 10_000 });
  return `${out.stdout ?? ''}${out.stderr ?? ''}`.trim().split('\n')[0] ?? '';
}

/** CPU seconds (user + system, all threads) used so far by `pid`. */
function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Field 2 (comm) may hold spaces and parentheses: fields after the last ')' start at field 3 (state).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK; // fields 14 (utime) and 15 (stime)
}

/** Resident set size of `pid`, in MB (MiB: VmRSS kB / 1024). */
function rssMb(pid) {
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]) / 1024;
}

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

/** Nearest-rank percentile of an ascending array. */
function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
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

async function waitForHttp(url, timeoutMs, entry) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (entry.exited) throw new Error(`${entry.name} exited during start-up:\n${logTail(entry)}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      await response.arrayBuffer();
      if (response.ok) return;
    } catch {
      /* not yet */
    }
    await sleep(100);
  }
  throw new Error(`${entry.name} did not answer ${url} within ${timeoutMs / 1000}s:\n${logTail(entry)}`);
}

function gauge(body, name) {
  const match = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)`, 'm').exec(body);
  return match ? Number(match[1]) : undefined;
}

// ------------------------------------------------------------------------------------------ measuring

function alive(target) {
  if (target.proc.exited) throw new Error(`${target.label} died during the benchmark:\n${logTail(target.proc)}`);
}

/** `count` sequential scrapes, each right after the previous one. */
async function backToBack(target, count) {
  alive(target);
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
  for (const target of targets) alive(target);
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

function table(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.map(line)].join('\n');
}

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
  out.push(
    `  machine:       ${environment.cpus} CPUs, load ${environment.loadavgStart.join(' ')} at start, ` +
      `${environment.loadavgEnd.join(' ')} at end; node ${environment.node}; ${environment.durationSeconds.toFixed(0)} s`,
  );
  out.push('');
  const rows = ROWS.filter(([key]) => medians.lichen[key] !== undefined).map(([key, label, digits]) => [
    label,
    medians.lichen[key].toFixed(digits),
    medians.nodeExporter[key].toFixed(digits),
    ratios[key] === null ? 'n/a' : `${ratios[key].toFixed(2)}x`,
  ]);
  out.push(table(['metric', 'lichen', 'node_exporter', 'ratio (lichen / node_exporter)'], rows));
  out.push('');
  out.push('targets (lichen):');
  for (const t of targets) out.push(`  ${t.pass ? 'PASS' : 'FAIL'}  ${t.name}: ${t.value.toFixed(2)} (limit ${t.limit})`);
  return out.join('\n');
}

// ------------------------------------------------------------------------------------------------ main

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const began = Date.now();
  const watchdog = setTimeout(() => {
    stopping = true;
    log(`\nabort: the run took longer than --max-seconds ${opts.maxSeconds}`);
    stopAll().finally(() => process.exit(3));
  }, opts.maxSeconds * 1000);

  const nodeExporterBin = process.env.NODE_EXPORTER_BIN ?? '/usr/bin/prometheus-node-exporter';
  if (!existsSync(nodeExporterBin)) {
    throw new Error(
      `${nodeExporterBin} not found: install it with \`apt-get install -y prometheus-node-exporter\` or set NODE_EXPORTER_BIN`,
    );
  }
  const natsBin = process.env.NATS_SERVER_BIN ?? which('nats-server');
  if (!natsBin) throw new Error('nats-server not found on PATH: install it or set NATS_SERVER_BIN');

  if (!existsSync(EXPORTER_MAIN)) {
    log('services/health-exporter/dist/main.js is missing: building it (npx nx run health-exporter:build)');
    const build = spawnSync('npx', ['nx', 'run', 'health-exporter:build'], {
      cwd: ROOT,
      stdio: ['ignore', 2, 2],
      timeout: 600_000,
    });
    if (build.status !== 0 || !existsSync(EXPORTER_MAIN))
      throw new Error(`the build failed (status ${build.status ?? build.signal})`);
  }

  tmpDir = mkdtempSync(join(tmpdir(), 'lichen-bench-health-exporter-'));
  const [natsPort, natsMonitorPort, lichenPort, nodePort] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const redisUrl = process.env.LICHEN_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const natsUrl = `nats://127.0.0.1:${natsPort}`;
  const natsMonitorUrl = `http://127.0.0.1:${natsMonitorPort}`;

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
  const nats = start('nats-server', natsBin, natsArgs, process.env);
  await waitForHttp(`${natsMonitorUrl}/varz`, 15_000, nats);

  const lichenEnv = {
    ...process.env,
    LICHEN_METRICS_HOST: '127.0.0.1',
    LICHEN_METRICS_PORT: String(lichenPort),
    LICHEN_NATS_URL: natsUrl,
    LICHEN_NATS_MONITOR_URL: natsMonitorUrl,
    LICHEN_REDIS_URL: redisUrl,
    LICHEN_HEARTBEAT_INTERVAL: process.env.LICHEN_HEARTBEAT_INTERVAL ?? '30s',
    LICHEN_LOG_LEVEL: process.env.LICHEN_LOG_LEVEL ?? 'warn',
  };
  const lichenProc = start('lichen', process.execPath, [EXPORTER_MAIN], lichenEnv);
  const nodeArgs = [`--web.listen-address=127.0.0.1:${nodePort}`];
  const nodeProc = start('node_exporter', nodeExporterBin, nodeArgs, process.env);

  const lichen = {
    key: 'lichen',
    label: 'lichen health exporter',
    proc: lichenProc,
    pid: lichenProc.child.pid,
    url: `http://127.0.0.1:${lichenPort}/metrics`,
  };
  const node = {
    key: 'nodeExporter',
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
  const medians = {};
  for (const target of targets)
    medians[target.key] = Object.fromEntries(keys.map((key) => [key, median(rounds.map((r) => r[target.key][key]))]));
  const ratios = Object.fromEntries(
    keys.map((key) => [key, medians.nodeExporter[key] ? medians.lichen[key] / medians.nodeExporter[key] : null]),
  );
  const verdicts = [
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
  ].map((t) => ({ ...t, pass: t.value < t.limit }));

  const report = {
    settings: { rounds: opts.rounds, scrapes: opts.scrapes, warmup: opts.warmup, paced: opts.paced, paceMs: opts.paceMs },
    environment: {
      node: process.version,
      nodeExporter: firstLine(nodeExporterBin, ['--version']),
      natsServer: firstLine(natsBin, ['--version']).replace(/^nats-server:\s*/, ''),
      cpus: cpus().length,
      loadavgStart: loadavgAtStart,
      loadavgEnd: loadavg().map((l) => l.toFixed(2)),
      durationSeconds: (Date.now() - began) / 1000,
    },
    setup: {
      nats: { command: [natsBin, ...natsArgs].join(' '), clientUrl: natsUrl, monitorUrl: natsMonitorUrl },
      lichen: { command: `node ${EXPORTER_MAIN.slice(ROOT.length + 1)}`, url: lichen.url, redisUrl, natsUp, redisUp },
      nodeExporter: { command: [nodeExporterBin, ...nodeArgs].join(' '), url: node.url },
    },
    units: {
      latency: 'ms',
      cpu: 'CPU seconds (utime+stime) per 100 scrapes',
      rss: 'MB = VmRSS kB / 1024',
      body: 'KB = bytes / 1024',
    },
    medians,
    ratios,
    targets: verdicts,
    rounds,
  };
  clearTimeout(watchdog);
  await stopAll();
  const rounded = (_key, value) => (typeof value === 'number' && !Number.isInteger(value) ? Number(value.toFixed(4)) : value);
  process.stdout.write(opts.json ? `${JSON.stringify(report, rounded, 2)}\n` : `${render(report)}\n`);
  return opts.strict && verdicts.some((t) => !t.pass) ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    if (stopping) return;
    log(`health-exporter bench failed: ${error?.stack ?? error}`);
    stopAll().finally(() => process.exit(1));
  },
);
