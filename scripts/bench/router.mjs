#!/usr/bin/env node
// The router against raw NATS pub/sub, in one run, on one nats-server the benchmark starts (no auth):
//   - raw:    publisher -> bench.raw.<run> -> subscriber (one hop);
//   - routed: publisher -> bench.in.<run> -> router -> bench.out.<run> -> subscriber (two hops), through the
//     route `hot` (from bench.in.*, where payload.rms > 4.0, to bench.out.$1) of a deployment applied with
//     `lichen deploy -f`, run by `lichen run router component-manager` (LICHEN_RUNTIMES=process).
// The publisher and the subscriber are two Node processes of their own (this script, started with --peer, on
// @nats-io/transport-node directly), driven over IPC. Every message is --size bytes of JSON (a device, a send
// time, rms 5.0 so the condition passes, samples, padding), which the router parses for its condition.
// Each of --runs rounds measures both modes, the first mode alternating round by round:
//   - throughput: --messages messages published as fast as flow control allows: a flush every --batch, and at
//     most --window messages ahead of what the subscriber reported received (so the benchmark does not overrun
//     a consumer into a slow-consumer drop). msgs/s = messages received / (first publish to last received).
//     What does not arrive is counted as lost, never hidden; nats-server's slow-consumer count is reported too.
//   - latency: --latency-messages messages per mode paced at --rate msgs/s per mode (so that latency is not
//     queueing), the two modes taking turns message by message in one phase (a stall of this shared machine
//     falls on both alike), each stamped with its send time on the machine's monotonic clock (process.hrtime,
//     the same in every process); p50/p99 at the subscriber.
// Prints `routed_msgs_per_s=` and `raw_msgs_per_s=` (medians) first, then the ratio, the p99 added by the route,
// the CPU each process spent per message, what the router counted, its RSS, and the targets: routed throughput
// >= 0.5x raw, p99 added < 1 ms. Exits non-zero on errors only (with --strict, also when a target is missed).
//
// Needs the CLI built (npx nx run cli:build), nats-server and redis-server. Loopback traffic only.

import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

import { parseArgs } from './lib/args.mjs';
import { firstLine, freePort, loadavgNow, which } from './lib/host.mjs';
import { cpuSeconds, rssMb } from './lib/proc-stats.mjs';
import { logTail, makeTempDir, start, stopAll, waitForHttp } from './lib/processes.mjs';
import { comparisonTable, machineSummary, printReport, table, targetLines } from './lib/report.mjs';
import { log, runBench, startWatchdog } from './lib/run.mjs';
import { lichenEnvironment, startServers } from './lib/servers.mjs';
import { mediansAcrossRounds, percentile, ratiosOf } from './lib/stats.mjs';

const SELF = fileURLToPath(import.meta.url);
const ROOT = resolve(dirname(SELF), '../..');
const LICHEN = join(ROOT, 'libs/cli/bin/lichen.js'); // what `npx lichen` runs
const TARGET_THROUGHPUT_RATIO = 0.5;
const TARGET_P99_ADDED_MS = 1;
const ROUTE = { name: 'hot', from: 'bench.in.*', where: 'payload.rms > 4.0', to: 'bench.out.$1' };
const DEVICE_ID = `bench-router-${process.pid}`;
const PROGRESS_EVERY = 500; // the subscriber reports how many it received every this many messages
const QUIET_MS = 2_000; // a run ends this long after the last message when some never arrive
const STALL_MS = 5_000; // the publisher stops waiting for its window after this long without progress

const USAGE = `usage: node scripts/bench/router.mjs [options]     (after \`npx nx run cli:build\`)

  --runs N              rounds, the first mode alternating, median reported (default 3; --rounds too)
  --messages N          throughput: messages per mode and round (default 100000)
  --size BYTES          JSON payload size (default 1024)
  --batch N             throughput: the publisher flushes every N messages (default 500)
  --window N            throughput: at most N messages published ahead of those received, 0 for no limit (default 10000)
  --latency-messages N  latency: messages per mode and round (default 4000)
  --rate N              latency: messages per second and mode, the modes taking turns (default 2000)
  --warmup N            warm-up throughput messages per mode, and N / 20 paced ones, before measuring (default 20000)
  --metrics-port P      the Lichen process's /metrics port (default: a free one)
  --max-seconds S       abort the whole run after S seconds (default 600)
  --json                print the results as JSON instead of a table
  --strict              exit 1 when a target is missed
  -h, --help            this text

environment:
  BENCH_LICHEN_NODE_FLAGS  node flags for the Lichen process, space-separated (say --cpu-prof --cpu-prof-dir=/tmp/prof)
`;

// ------------------------------------------------------------------------------------------ the payload

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Microseconds on the machine's monotonic clock (CLOCK_MONOTONIC): comparable across processes. */
function nowUs() {
  const [seconds, nanos] = process.hrtime();
  return seconds * 1e6 + nanos / 1e3;
}

/** `size` bytes of JSON as a sensor would send: rms 5.0 (the route's condition passes), samples, padding. */
function payload(size, sentUs, seq, rms = '5.0') {
  const room = Math.max(0, Math.floor((size - 160) / 8));
  const samples = Array.from({ length: room }, (_, i) => (Math.sin(i / 5) * 4.2).toFixed(4)).join(',');
  const head = `{"device":"bench-01","sentUs":${sentUs.toFixed(1)},"seq":${seq},"rms":${rms},"samples":[${samples}],"pad":"`;
  const pad = size - head.length - 2;
  if (pad < 0) throw new Error(`--size ${size} is too small for the payload (${head.length + 2} bytes at least)`);
  return encoder.encode(`${head}${'x'.repeat(pad)}"}`);
}

// ------------------------------------------------------------------------------- the peers (--peer)

/** A publisher or subscriber process: connects, then answers the orchestrator's requests over IPC. */
async function runPeer(role, url) {
  const { connect } = await import('@nats-io/transport-node');
  const nc = await connect({ servers: url, name: `bench-router-${role}` });
  const ops = role === 'publisher' ? publisherOps(nc) : subscriberOps(nc);
  process.on('disconnect', () => process.exit(0));
  process.on('message', async ({ id, op, args }) => {
    try {
      process.send({ id, result: await ops[op](args) });
    } catch (error) {
      process.send({ id, error: error?.stack ?? String(error) });
    }
  });
  process.send({ ready: true });
}

function publisherOps(nc) {
  return {
    /** `count` messages as fast as the flushes and the window allow. */
    async flood({ subject, count, size, batch, window, progressSubject }) {
      const data = payload(size, nowUs(), 0);
      let received = 0;
      let wake;
      const progress = nc.subscribe(progressSubject, {
        callback: (error, msg) => {
          if (error) return;
          received = Number(decoder.decode(msg.data));
          wake?.();
        },
      });
      await nc.flush();
      let stalled = false;
      let sent = 0;
      const startUs = nowUs();
      while (sent < count) {
        const n = Math.min(batch, count - sent);
        for (let i = 0; i < n; i++) nc.publish(subject, data);
        sent += n;
        await nc.flush();
        while (!stalled && window > 0 && sent - received > window) {
          // No progress for STALL_MS: messages were lost; go on without the window, the subscriber counts them.
          stalled = !(await new Promise((ok) => {
            const timer = setTimeout(() => ok(false), STALL_MS);
            wake = () => (clearTimeout(timer), ok(true));
          }));
          wake = undefined;
        }
      }
      const endUs = nowUs();
      progress.unsubscribe();
      return { sent, startUs, endUs, stalled };
    },

    /**
     * `count` messages to each of `subjects`, taking turns message by message (so a stall of the machine falls
     * on every subject alike), `rate` per second to each, each stamped with its send time.
     */
    async paced({ subjects, count, size, rate }) {
      const total = count * subjects.length;
      const perSecond = rate * subjects.length;
      let sent = 0;
      const startUs = nowUs();
      while (sent < total) {
        const due = Math.min(total, Math.floor(((nowUs() - startUs) * perSecond) / 1e6) + 1);
        for (; sent < due; sent++) nc.publish(subjects[sent % subjects.length], payload(size, nowUs(), sent));
        if (sent < total) await sleep(Math.max(0, (sent * 1e3) / perSecond - (nowUs() - startUs) / 1e3));
      }
      await nc.flush();
      return { sent: count, startUs, endUs: nowUs() };
    },
  };
}

function subscriberOps(nc) {
  let runs = [];
  return {
    /**
     * Subscribes to each of `subjects` (key to subject) for the next run, expecting `count` on each; with
     * `latency`, keeps every message's latency. Resolves once the server has the subscriptions.
     */
    async expect({ subjects, count, progressSubject, latency }) {
      runs = Object.entries(subjects).map(([key, subject]) => {
        const state = { key, count, received: 0, firstUs: 0, lastUs: 0, latenciesUs: latency ? [] : undefined };
        state.subscription = nc.subscribe(subject, {
          callback: (error, msg) => {
            const now = nowUs();
            if (error) return void (state.error = error);
            if (state.received === 0) state.firstUs = now;
            state.lastUs = now;
            state.received++;
            if (latency) state.latenciesUs.push(now - JSON.parse(decoder.decode(msg.data)).sentUs);
            if (progressSubject && state.received % PROGRESS_EVERY === 0) nc.publish(progressSubject, String(state.received));
            if (state.received === count) state.onAll?.();
          },
        });
        return state;
      });
      await nc.flush();
    },

    /** Waits until every expected message arrived, or none came for `quietMs`; per subject key, what arrived and when. */
    async collect({ quietMs }) {
      const results = {};
      for (const state of runs) {
        while (state.received < state.count) {
          const before = state.received;
          const all = await new Promise((ok) => {
            const timer = setTimeout(() => ok(false), quietMs);
            state.onAll = () => (clearTimeout(timer), ok(true));
          });
          if (!all && state.received === before) break;
        }
        state.subscription.unsubscribe();
        if (state.error) throw state.error;
        const { received, firstUs, lastUs, latenciesUs } = state;
        results[state.key] = { received, firstUs, lastUs, latenciesUs };
      }
      return results;
    },
  };
}

// ------------------------------------------------------------------------------------------ measuring

const MODES = {
  raw: { publish: (tag) => `bench.raw.${tag}`, receive: (tag) => `bench.raw.${tag}` },
  routed: { publish: (tag) => `bench.in.${tag}`, receive: (tag) => `bench.out.${tag}` },
};

/** One throughput run of `mode`: msgs/s at the subscriber, loss, and the CPU each process spent per message. */
async function throughputRun(mode, count, rig, tag) {
  const subject = MODES[mode].publish(tag);
  const progressSubject = `bench.ctl.${mode}.${tag}.progress`;
  await rig.subscriber.call('expect', { subjects: { [mode]: MODES[mode].receive(tag) }, count, progressSubject, latency: false });
  const slowBefore = await slowConsumers(rig.servers);
  const cpuBefore = cpuOf(rig.pids);
  const t0 = performance.now();
  const { opts } = rig;
  const sent = await rig.publisher.call('flood', {
    subject,
    count,
    size: opts.size,
    batch: opts.batch,
    window: opts.window,
    progressSubject,
  });
  const got = (await rig.subscriber.call('collect', { quietMs: QUIET_MS }))[mode];
  const wallSeconds = (performance.now() - t0) / 1000;
  const cpuAfter = cpuOf(rig.pids);
  if (mode === 'routed') rig.routedPublished += sent.sent;
  if (got.received === 0) throw new Error(`${mode}: none of ${sent.sent} messages on ${subject} arrived`);
  const cpuUsPerMsg = {};
  const cores = {};
  for (const key of Object.keys(rig.pids)) {
    const seconds = cpuAfter[key] - cpuBefore[key];
    cpuUsPerMsg[key] = (seconds * 1e6) / got.received;
    cores[key] = seconds / wallSeconds;
  }
  return {
    msgsPerSec: got.received / ((got.lastUs - sent.startUs) / 1e6),
    lost: sent.sent - got.received,
    stalled: sent.stalled,
    slowConsumers: (await slowConsumers(rig.servers)) - slowBefore,
    cpuUsPerMsg,
    cores,
  };
}

/**
 * One paced run of every mode at once, their messages taking turns (`order` says which goes first): each
 * mode's latency p50/p99/max (ms) of what arrived, and how many did not.
 */
async function latencyRun(order, count, rig, tag) {
  const receive = Object.fromEntries(order.map((mode) => [mode, MODES[mode].receive(tag)]));
  await rig.subscriber.call('expect', { subjects: receive, count, latency: true });
  const { opts } = rig;
  const subjects = order.map((mode) => MODES[mode].publish(tag));
  const sent = await rig.publisher.call('paced', { subjects, count, size: opts.size, rate: opts.rate });
  const got = await rig.subscriber.call('collect', { quietMs: QUIET_MS });
  if (order.includes('routed')) rig.routedPublished += sent.sent;
  const result = {};
  for (const mode of order) {
    const latencies = got[mode].latenciesUs.sort((a, b) => a - b);
    if (latencies.length === 0) throw new Error(`${mode}: none of ${sent.sent} paced messages arrived`);
    result[mode] = {
      p50Ms: percentile(latencies, 50) / 1e3,
      p99Ms: percentile(latencies, 99) / 1e3,
      maxMs: latencies.at(-1) / 1e3,
      lost: sent.sent - got[mode].received,
    };
  }
  return result;
}

/** One round: throughput of each mode in turn, then the paced latency of both, the first mode alternating by round. */
async function measureRound(rig, round) {
  const order = round % 2 ? ['raw', 'routed'] : ['routed', 'raw'];
  const result = { round, raw: {}, routed: {} };
  for (const mode of order) result[mode].throughput = await throughputRun(mode, rig.opts.messages, rig, `r${round}-tp`);
  const latency = await latencyRun(order, rig.opts.latencyMessages, rig, `r${round}-lat`);
  for (const mode of order) {
    const { throughput } = result[mode];
    result[mode].latency = latency[mode];
    result[mode].figures = {
      msgsPerSec: throughput.msgsPerSec,
      mbPerSec: (throughput.msgsPerSec * rig.opts.size) / 1e6,
      p50Ms: latency[mode].p50Ms,
      p99Ms: latency[mode].p99Ms,
      maxMs: latency[mode].maxMs,
    };
  }
  return result;
}

function cpuOf(pids) {
  return Object.fromEntries(Object.entries(pids).map(([key, pid]) => [key, cpuSeconds(pid)]));
}

/** nats-server's count of slow consumers so far (clients it cut off or dropped messages for). */
async function slowConsumers(servers) {
  const response = await fetch(`${servers.natsMonitorUrl}/varz`);
  return (await response.json()).slow_consumers ?? 0;
}

// ------------------------------------------------------------------------------------------- the rig

/** Starts a publisher or subscriber peer (this script with --peer) and returns a way to call it over IPC. */
async function startPeer(role, natsUrl, tmpDir) {
  const entry = start(role, process.execPath, [SELF, '--peer', role, natsUrl], {
    cwd: ROOT,
    env: process.env,
    logDir: tmpDir,
    ipc: true,
  });
  const pending = new Map();
  let nextId = 0;
  let ready;
  const readyOrExit = new Promise((ok, ko) => (ready = { ok, ko }));
  entry.child.on('message', (message) => {
    if (message.ready) return ready.ok();
    const call = pending.get(message.id);
    pending.delete(message.id);
    if (message.error) call?.ko(new Error(`${role}: ${message.error}`));
    else call?.ok(message.result);
  });
  entry.child.on('exit', (code, signal) => {
    const error = new Error(`the ${role} exited (${code ?? signal}):\n${logTail(entry)}`);
    ready.ko(error);
    for (const call of pending.values()) call.ko(error);
    pending.clear();
  });
  const timeout = sleep(15_000).then(() => {
    throw new Error(`the ${role} did not connect within 15 s:\n${logTail(entry)}`);
  });
  await Promise.race([readyOrExit, timeout]);
  return {
    pid: entry.child.pid,
    call: (op, args) =>
      new Promise((ok, ko) => {
        const id = ++nextId;
        pending.set(id, { ok, ko });
        entry.child.send({ id, op, args });
      }),
  };
}

/** `lichen run router component-manager` on the benchmark's servers, ready to answer /healthz. */
async function startLichen(tmpDir, servers, opts) {
  const metricsPort = opts.metricsPort || (await freePort());
  const dataDir = makeTempDir('lichen-bench-router-data-');
  const env = lichenEnvironment(servers, { dataDir, deviceId: DEVICE_ID, metricsPort }, { LICHEN_RUNTIMES: 'process' });
  const nodeFlags = (process.env.BENCH_LICHEN_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean);
  const entry = start('lichen', process.execPath, [...nodeFlags, LICHEN, 'run', 'router', 'component-manager'], {
    cwd: tmpDir,
    env,
    logDir: tmpDir,
  });
  await waitForHttp(`http://127.0.0.1:${metricsPort}/healthz`, 60_000, entry);
  return entry;
}

/** Applies the deployment of the one route with `lichen deploy -f`. */
function deployRoute(tmpDir, natsUrl) {
  const document = join(tmpDir, 'bench-route.yaml');
  writeFileSync(
    document,
    [
      'apiVersion: lichen.dev/v1',
      'kind: Deployment',
      `metadata: { name: ${DEVICE_ID}, revision: 1 }`,
      'routes:',
      `  - { name: ${ROUTE.name}, from: "${ROUTE.from}", where: "${ROUTE.where}", to: "${ROUTE.to}" }`,
      '',
    ].join('\n'),
  );
  const deployed = spawnSync(process.execPath, [LICHEN, 'deploy', '-f', document, '--nats', natsUrl], {
    cwd: tmpDir,
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (deployed.status !== 0) {
    throw new Error(`lichen deploy -f exited with ${deployed.status ?? deployed.signal}:\n${deployed.stdout}${deployed.stderr}`);
  }
}

/**
 * Waits until the route runs (a probe published to bench.in.probe comes out on bench.out.probe), then checks
 * that its condition is evaluated: a message with rms 1.0 must not come out, the one with rms 5.0 after it must.
 */
async function waitForRoute(nc, size, timeoutMs) {
  const arrived = [];
  const subscription = nc.subscribe('bench.out.probe', {
    callback: (error, msg) => error || arrived.push(JSON.parse(decoder.decode(msg.data))),
  });
  await nc.flush();
  let published = 0;
  const deadline = Date.now() + timeoutMs;
  while (arrived.length === 0) {
    if (Date.now() > deadline) throw new Error(`the route did not deliver a probe within ${timeoutMs / 1000} s`);
    nc.publish('bench.in.probe', payload(size, nowUs(), -1));
    published++;
    await sleep(100);
  }
  nc.publish('bench.in.probe', payload(size, nowUs(), -2, '1.0'));
  nc.publish('bench.in.probe', payload(size, nowUs(), -3));
  published += 2;
  const checkDeadline = Date.now() + 5_000;
  while (!arrived.some((m) => m.seq === -3)) {
    if (Date.now() > checkDeadline) throw new Error('the route stopped delivering after its first probe');
    await sleep(20);
  }
  subscription.unsubscribe();
  if (arrived.some((m) => m.seq === -2)) throw new Error(`the route let through rms 1.0: \`${ROUTE.where}\` not applied`);
  return published;
}

/** The router's own counters for the route, from lichen.routes.list (protobuf, as the CLI asks). */
async function routeCounters(nc) {
  const { create, fromBinary, toBinary } = await import('@bufbuild/protobuf');
  const contracts = await import(join(ROOT, 'libs/contracts/dist/index.js'));
  const request = toBinary(contracts.ListRoutesRequestSchema, create(contracts.ListRoutesRequestSchema));
  const reply = await nc.request(contracts.subjects.routes.list.pattern, request, { timeout: 5_000 });
  const list = fromBinary(contracts.RouteListSchema, reply.data);
  const route = list.routes.find((r) => r.route?.name === ROUTE.name);
  if (!route) throw new Error(`the router no longer lists the route ${ROUTE.name}`);
  const { matched, routed, dropped } = route.counters;
  return {
    matched: Number(matched),
    routed: Number(routed),
    dropped: Object.fromEntries(Object.entries(dropped).map(([reason, n]) => [reason, Number(n)])),
  };
}

// ------------------------------------------------------------------------------------------- reporting

const ROWS = [
  ['msgsPerSec', 'throughput msgs/s (at the subscriber)', 0],
  ['mbPerSec', 'throughput MB/s of payload', 1],
  ['p50Ms', 'paced latency p50 ms', 3],
  ['p99Ms', 'paced latency p99 ms', 3],
  ['maxMs', 'paced latency max ms', 3],
];
const ROUTED = { key: 'routed', label: 'routed' };
const RAW = { key: 'raw', label: 'raw pub/sub' };
const PROCESSES = [
  ['publisher', 'publisher'],
  ['natsServer', 'nats-server'],
  ['router', 'lichen run router component-manager'],
  ['subscriber', 'subscriber'],
];

function render(report) {
  const { settings, medians, cpu, loss, router, environment } = report;
  const cpuRows = PROCESSES.map(([key, label]) => [
    label,
    cpu.raw.usPerMsg[key].toFixed(1),
    cpu.routed.usPerMsg[key].toFixed(1),
    cpu.raw.cores[key].toFixed(2),
    cpu.routed.cores[key].toFixed(2),
  ]);
  cpuRows.push([
    'all four',
    ...['usPerMsg', 'usPerMsg', 'cores', 'cores'].map((what, i) => {
      const mode = i % 2 ? 'routed' : 'raw';
      return PROCESSES.reduce((sum, [key]) => sum + cpu[mode][what][key], 0).toFixed(what === 'cores' ? 2 : 1);
    }),
  ]);
  const dropped =
    Object.entries(router.counters.dropped)
      .map(([reason, n]) => `${reason} ${n}`)
      .join(', ') || 'none';
  return [
    `routed_msgs_per_s=${medians.routed.msgsPerSec.toFixed(0)}`,
    `raw_msgs_per_s=${medians.raw.msgsPerSec.toFixed(0)}`,
    `throughput_ratio=${report.throughputRatio.toFixed(2)}`,
    `p99_added_ms=${report.p99AddedMs.toFixed(3)}`,
    `router_rss_mb=${router.rssMbAfter.toFixed(1)}`,
    '',
    `Router vs raw NATS pub/sub — medians of ${settings.runs} rounds, the first mode alternating`,
    `  route ${ROUTE.name}: ${ROUTE.from} where \`${ROUTE.where}\` to ${ROUTE.to}, run by \`lichen run router component-manager\``,
    `  ${settings.size} B JSON payloads; publisher and subscriber in two processes of their own (@nats-io/transport-node)`,
    `  throughput: ${settings.messages} messages per mode and round, a flush every ${settings.batch}, ` +
      (settings.window ? `at most ${settings.window} ahead of the subscriber` : 'no window'),
    `  latency: ${settings.latencyMessages} messages per mode and round, paced at ${settings.rate} msgs/s per mode, ` +
      'raw and routed taking turns message by message',
    `  nats-server ${environment.natsServer} on 127.0.0.1 (started by the benchmark, no auth)`,
    '',
    comparisonTable(ROWS, medians, report.ratios, ROUTED, RAW),
    `  p99 added by the route: ${report.p99AddedMs.toFixed(3)} ms; p50 added: ${(medians.routed.p50Ms - medians.raw.p50Ms).toFixed(3)} ms`,
    '',
    'CPU during the throughput runs (median of rounds): microseconds per message received, and cores busy:',
    table(['process', 'raw us/msg', 'routed us/msg', 'raw cores', 'routed cores'], cpuRows),
    `  at ${cpu.routed.usPerMsg.router.toFixed(1)} us of CPU per message, one whole core would let the router ` +
      `pass ${(1e6 / cpu.routed.usPerMsg.router).toFixed(0)} msgs/s`,
    '',
    `lost (sum of all rounds): throughput raw ${loss.raw.throughput}, routed ${loss.routed.throughput}; ` +
      `latency raw ${loss.raw.latency}, routed ${loss.routed.latency}; ` +
      `slow consumers at nats-server ${loss.slowConsumers}; publisher window stalled ${loss.stalls} times`,
    `router counters (lichen.routes.list): of ${router.published} published to bench.in.*, matched ${router.counters.matched}, ` +
      `routed ${router.counters.routed}, dropped ${dropped} (the rms 1.0 probe is one condition_false)`,
    `router process RSS (lichen run router component-manager): ${router.rssMbReady.toFixed(1)} MB ready, ` +
      `${router.rssMbAfter.toFixed(1)} MB after the run`,
    '',
    targetLines('router', report.targets),
    '',
    machineSummary(environment),
  ].join('\n');
}

// ------------------------------------------------------------------------------------------------ main

const OPTIONS = {
  name: 'router',
  usage: USAGE,
  defaults: {
    runs: 3,
    messages: 100_000,
    size: 1024,
    batch: 500,
    window: 10_000,
    latencyMessages: 4_000,
    rate: 2_000,
    warmup: 20_000,
    metricsPort: 0,
    maxSeconds: 600,
    json: false,
    strict: false,
  },
  integers: {
    '--runs': ['runs', 1],
    '--rounds': ['runs', 1],
    '--messages': ['messages', 1],
    '--size': ['size', 256],
    '--batch': ['batch', 1],
    '--window': ['window', 0],
    '--latency-messages': ['latencyMessages', 1],
    '--rate': ['rate', 1],
    '--warmup': ['warmup', 0],
    '--metrics-port': ['metricsPort', 1],
    '--max-seconds': ['maxSeconds', 10],
  },
  switches: { '--json': 'json', '--strict': 'strict' },
};

async function main() {
  const opts = parseArgs(process.argv.slice(2), OPTIONS);
  const began = Date.now();
  const loadavgStart = loadavgNow();
  const cancelWatchdog = startWatchdog(opts.maxSeconds);
  if (!existsSync(join(ROOT, 'libs/cli/dist/main.js'))) throw new Error('the CLI is not built: npx nx run cli:build');
  payload(opts.size, 0, 0); // a size too small fails here, before anything starts

  const tmpDir = makeTempDir('lichen-bench-router-');
  const servers = await startServers(tmpDir);
  const lichen = await startLichen(tmpDir, servers, opts);
  deployRoute(tmpDir, servers.natsUrl);
  const { connect } = await import('@nats-io/transport-node');
  const nc = await connect({ servers: servers.natsUrl, name: 'bench-router-orchestrator' });
  const probes = await waitForRoute(nc, opts.size, 30_000);
  const rssMbReady = rssMb(lichen.child.pid);
  log(`the route runs (pid ${lichen.child.pid}, ${rssMbReady.toFixed(1)} MB); starting the publisher and the subscriber`);

  const [publisher, subscriber] = [
    await startPeer('publisher', servers.natsUrl, tmpDir),
    await startPeer('subscriber', servers.natsUrl, tmpDir),
  ];
  const rig = {
    opts,
    servers,
    publisher,
    subscriber,
    pids: { publisher: publisher.pid, natsServer: servers.natsPid, router: lichen.child.pid, subscriber: subscriber.pid },
    routedPublished: probes,
  };
  if (opts.warmup > 0) {
    log(`warming up: ${opts.warmup} throughput and ${Math.ceil(opts.warmup / 20)} paced messages per mode`);
    for (const mode of ['raw', 'routed']) await throughputRun(mode, opts.warmup, rig, 'warm-tp');
    await latencyRun(['raw', 'routed'], Math.ceil(opts.warmup / 20), rig, 'warm-lat');
  }

  const rounds = [];
  for (let round = 1; round <= opts.runs; round++) {
    const result = await measureRound(rig, round);
    rounds.push(result);
    const brief = ({ figures: f, throughput: t }) =>
      `${f.msgsPerSec.toFixed(0)} msgs/s${t.lost ? ` (${t.lost} lost)` : ''}, p50 ${f.p50Ms.toFixed(3)} ms, p99 ${f.p99Ms.toFixed(3)} ms`;
    log(`round ${round}/${opts.runs}: routed ${brief(result.routed)} | raw ${brief(result.raw)}`);
  }
  const counters = await routeCounters(nc);
  const rssMbAfter = rssMb(lichen.child.pid);
  await nc.drain();
  cancelWatchdog();

  const keys = ROWS.map(([key]) => key);
  const figures = rounds.map((r) => ({ raw: r.raw.figures, routed: r.routed.figures }));
  const medians = mediansAcrossRounds(figures, ['routed', 'raw'], keys);
  const ratios = ratiosOf(medians.routed, medians.raw, keys);
  const p99AddedMs = medians.routed.p99Ms - medians.raw.p99Ms;
  const cpuMedians = (mode, what) =>
    mediansAcrossRounds(
      rounds.map((r) => ({ m: r[mode].throughput[what] })),
      ['m'],
      PROCESSES.map(([key]) => key),
    ).m;
  const sum = (mode, what) => rounds.reduce((total, r) => total + r[mode][what].lost, 0);
  const targets = [
    {
      name: `routed throughput >= ${TARGET_THROUGHPUT_RATIO}x raw pub/sub (ratio)`,
      limit: TARGET_THROUGHPUT_RATIO,
      value: ratios.msgsPerSec,
      pass: ratios.msgsPerSec >= TARGET_THROUGHPUT_RATIO,
    },
    {
      name: `p99 added by the route < ${TARGET_P99_ADDED_MS} ms (routed p99 - raw p99)`,
      limit: TARGET_P99_ADDED_MS,
      value: p99AddedMs,
      pass: p99AddedMs < TARGET_P99_ADDED_MS,
    },
  ];
  const report = {
    routedMsgsPerSec: medians.routed.msgsPerSec,
    rawMsgsPerSec: medians.raw.msgsPerSec,
    throughputRatio: ratios.msgsPerSec,
    p99AddedMs,
    medians,
    ratios,
    cpu: {
      raw: { usPerMsg: cpuMedians('raw', 'cpuUsPerMsg'), cores: cpuMedians('raw', 'cores') },
      routed: { usPerMsg: cpuMedians('routed', 'cpuUsPerMsg'), cores: cpuMedians('routed', 'cores') },
    },
    loss: {
      raw: { throughput: sum('raw', 'throughput'), latency: sum('raw', 'latency') },
      routed: { throughput: sum('routed', 'throughput'), latency: sum('routed', 'latency') },
      slowConsumers: rounds.reduce((n, r) => n + r.raw.throughput.slowConsumers + r.routed.throughput.slowConsumers, 0),
      stalls: rounds.reduce((n, r) => n + r.raw.throughput.stalled + r.routed.throughput.stalled, 0),
    },
    router: { pid: lichen.child.pid, rssMbReady, rssMbAfter, published: rig.routedPublished, counters },
    targets,
    settings: {
      runs: opts.runs,
      messages: opts.messages,
      size: opts.size,
      batch: opts.batch,
      window: opts.window,
      latencyMessages: opts.latencyMessages,
      rate: opts.rate,
      warmup: opts.warmup,
    },
    environment: {
      node: process.version,
      natsServer: firstLine(which('nats-server'), ['--version']).replace(/^nats-server:\s*/, ''),
      cpus: cpus().length,
      loadavgStart,
      loadavgEnd: loadavgNow(),
      durationSeconds: (Date.now() - began) / 1000,
    },
    rounds,
  };
  await stopAll();
  printReport(report, { json: opts.json, render });
  return opts.strict && targets.some((t) => !t.pass) ? 1 : 0;
}

if (process.argv[2] === '--peer') {
  runPeer(process.argv[3], process.argv[4]).catch((error) => {
    process.stderr.write(`router bench ${process.argv[3]}: ${error?.stack ?? error}\n`);
    process.exit(1);
  });
} else {
  runBench('router', main);
}
