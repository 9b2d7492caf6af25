#!/usr/bin/env node
// The Lichen bus (@lichen/bus, built) vs the raw NATS client it wraps, side by side.
//
// One run: starts its own nats-server on free loopback ports, warms both sides up, then for each of --rounds
// rounds measures, interleaved in --slices slices per round (lichen, raw, then raw, lichen, ...: a load change
// on the machine falls on both sides alike):
//   - raw bytes: --messages messages of --size bytes published and subscribed in this process, counted at the
//     subscriber (msgs/s from the first publish to the last message received), through Bus.publishRaw /
//     Bus.subscribeRaw vs nc.publish / nc.subscribe, each on one connection;
//   - typed request/reply: --requests sequential requests of lichen.health.get answered by a small Heartbeat
//     (p50/p99 latency), through Bus.request / Bus.serve vs nc.request with a subscribe + respond server that
//     does the same protobuf encode and decode, each with its own server and client connections.
// Every measured slice starts after a full garbage collection.
// Prints the medians across rounds with the ratios (lichen / raw) and whether the targets are met: raw bytes
// throughput >= 0.9x the raw client, typed request/reply p50 <= 1.2x raw.
//
// Imports the BUILT libraries: run `npx nx run bus:build` first. Plain Node >= 20. Loopback traffic only.

import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

import { parseArgs } from './lib/args.mjs';
import { firstLine, freePort, loadavgNow, which } from './lib/host.mjs';
import { makeTempDir, start, stopAll, waitForHttp } from './lib/processes.mjs';
import { comparisonTable, machineSummary, printReport, targetLines } from './lib/report.mjs';
import { log, runBench, startWatchdog } from './lib/run.mjs';
import { mediansAcrossRounds, percentile, ratiosOf } from './lib/stats.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const BUILT = ['libs/bus/dist/index.js', 'libs/contracts/dist/index.js', 'libs/logging/dist/index.js'];
const TARGET_THROUGHPUT_RATIO = 0.9;
const TARGET_P50_RATIO = 1.2;
const loadavgAtStart = loadavgNow();

// A full garbage collection before every measured run, so that neither side pays for the other's garbage.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc');

const USAGE = `usage: node scripts/bench/bus.mjs [options]     (after \`npx nx run bus:build\`)

  --rounds N         rounds, median reported (default 5)
  --slices N         slices per round, the sides alternating slice by slice (default 4)
  --messages N       raw messages per side per round (default 200000)
  --size BYTES       raw message size (default 128)
  --requests N       sequential typed requests per side per round (default 2000)
  --warmup N         warm-up requests per side (and N x 250 raw messages) before measuring (default 200)
  --max-seconds S    abort the whole run after S seconds (default 600)
  --json             print the results as JSON instead of a table
  --strict           exit 1 when a target fails
  -h, --help         this text

environment:
  NATS_SERVER_BIN    nats-server binary (default: nats-server on PATH)
`;

const OPTIONS = {
  name: 'bus',
  usage: USAGE,
  defaults: {
    rounds: 5,
    slices: 4,
    messages: 200_000,
    size: 128,
    requests: 2_000,
    warmup: 200,
    maxSeconds: 600,
    json: false,
    strict: false,
  },
  integers: {
    '--rounds': ['rounds', 1],
    '--slices': ['slices', 1],
    '--messages': ['messages', 1],
    '--size': ['size', 0],
    '--requests': ['requests', 1],
    '--warmup': ['warmup', 0],
    '--max-seconds': ['maxSeconds', 1],
  },
  switches: { '--json': 'json', '--strict': 'strict' },
};

// ------------------------------------------------------------------------------------------- the sides

/** The same raw-bytes and request/reply work, through the Lichen bus or through the raw client. */
async function lichenSide(libs, url) {
  const { Bus } = libs.bus;
  const logger = libs.logging.createLogger({ service: 'bench', level: 'warn' });
  const pubsub = Bus.connect({ servers: url, name: 'bench-lichen-pubsub', logger });
  const server = Bus.connect({ servers: url, name: 'bench-lichen-server', logger });
  const client = Bus.connect({ servers: url, name: 'bench-lichen-client', logger });
  await Promise.all([pubsub.ready, server.ready, client.ready]);
  const heartbeat = smallHeartbeat();
  server.serve(libs.contracts.subjects.health.get, () => heartbeat);
  await server.connection.flush();
  return {
    key: 'lichen',
    subscribe: (subject, onMessage) => {
      const off = pubsub.subscribeRaw(subject, (data) => onMessage(data));
      return { flush: () => pubsub.connection.flush(), stop: off };
    },
    publish: (subject, data) => pubsub.publishRaw(subject, data),
    request: () => client.request(libs.contracts.subjects.health.get, {}),
    close: () => Promise.all([pubsub.close(), server.close(), client.close()]),
  };
}

async function rawSide(libs, url) {
  const { connect } = libs.nats;
  const { create, fromBinary, toBinary } = libs.protobuf;
  const { GetHealthRequestSchema, HeartbeatSchema } = libs.contracts;
  const [pubsub, server, client] = await Promise.all(
    ['pubsub', 'server', 'client'].map((role) => connect({ servers: url, name: `bench-raw-${role}` })),
  );
  const subject = 'bench.raw.health.get';
  const heartbeat = smallHeartbeat();
  server.subscribe(subject, {
    callback: (error, msg) => {
      if (error) return;
      fromBinary(GetHealthRequestSchema, msg.data);
      msg.respond(toBinary(HeartbeatSchema, create(HeartbeatSchema, heartbeat)));
    },
  });
  await server.flush();
  const request = toBinary(GetHealthRequestSchema, create(GetHealthRequestSchema));
  return {
    key: 'raw',
    subscribe: (subjectName, onMessage) => {
      const subscription = pubsub.subscribe(subjectName, { callback: (error, msg) => error || onMessage(msg.data) });
      return { flush: () => pubsub.flush(), stop: async () => subscription.unsubscribe() };
    },
    publish: (subjectName, data) => pubsub.publish(subjectName, data),
    request: async () => fromBinary(HeartbeatSchema, (await client.request(subject, request, { timeout: 5_000 })).data),
    close: () => Promise.all([pubsub.drain(), server.drain(), client.drain()]),
  };
}

/** A small heartbeat, as the health exporter sends: a device id, two versions, a verdict. */
function smallHeartbeat() {
  return {
    deviceId: 'bench-device-01',
    hostUptimeSeconds: 123_456.7,
    versions: { lichen: '0.1.0', nodejs: process.versions.node },
    summary: { status: 1, cpuUtilizationRatio: 0.12, memoryUsedRatio: 0.34, busConnected: true, natsUp: true },
  };
}

// ------------------------------------------------------------------------------------------ measuring

let runs = 0;

/** `count` raw messages through one side, timed from the first publish to the last message received. */
async function rawRun(side, count, size) {
  const subject = `bench.bytes.${side.key}.${++runs}`;
  const payload = new Uint8Array(size).fill(7);
  let received = 0;
  let done;
  const all = new Promise((resolveAll) => (done = resolveAll));
  const subscription = side.subscribe(subject, () => {
    if (++received === count) done();
  });
  await subscription.flush();
  collectGarbage();
  const t0 = performance.now();
  for (let i = 0; i < count; i++) side.publish(subject, payload);
  const finished = await Promise.race([all.then(() => true), sleep(60_000).then(() => false)]);
  const seconds = (performance.now() - t0) / 1000;
  await subscription.stop();
  if (!finished) throw new Error(`${side.key}: only ${received} of ${count} messages arrived within 60 s (slow consumer?)`);
  return seconds;
}

/** `count` sequential typed requests through one side: each one's latency in microseconds. */
async function requestRun(side, count) {
  const latencies = [];
  collectGarbage();
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    const reply = await side.request();
    latencies.push((performance.now() - t0) * 1000);
    if (reply.deviceId !== 'bench-device-01') throw new Error(`${side.key}: unexpected reply ${JSON.stringify(reply)}`);
  }
  return latencies;
}

/**
 * One round: the round's messages and requests in `slices` slices, the sides alternating slice by slice
 * (lichen, raw, then raw, lichen), so that a load change on the machine falls on both sides alike.
 */
async function measureRound(sides, opts) {
  const figures = Object.fromEntries(sides.map((side) => [side.key, { seconds: 0, latencies: [] }]));
  const messages = Math.ceil(opts.messages / opts.slices);
  const requests = Math.ceil(opts.requests / opts.slices);
  for (let slice = 0; slice < opts.slices; slice++) {
    const order = slice % 2 ? [...sides].reverse() : sides;
    for (const side of order) figures[side.key].seconds += await rawRun(side, messages, opts.size);
    for (const side of order) figures[side.key].latencies.push(...(await requestRun(side, requests)));
  }
  const round = {};
  for (const side of sides) {
    const { seconds, latencies } = figures[side.key];
    const count = messages * opts.slices;
    latencies.sort((a, b) => a - b);
    round[side.key] = {
      rawMsgsPerSec: count / seconds,
      rawMbPerSec: (count * opts.size) / seconds / 1e6,
      reqP50Us: percentile(latencies, 50),
      reqP99Us: percentile(latencies, 99),
      reqPerSec: latencies.length / (latencies.reduce((sum, us) => sum + us, 0) / 1e6),
    };
  }
  return round;
}

// ------------------------------------------------------------------------------------------- reporting

const ROWS = [
  ['rawMsgsPerSec', 'raw bytes msgs/s (pub+sub, one process)', 0],
  ['rawMbPerSec', 'raw bytes MB/s of payload', 1],
  ['reqP50Us', 'typed request/reply p50 us', 1],
  ['reqP99Us', 'typed request/reply p99 us', 1],
  ['reqPerSec', 'typed requests/s (sequential)', 0],
];
const LICHEN = { key: 'lichen', label: 'lichen bus' };
const RAW = { key: 'raw', label: 'raw client' };

function render(report) {
  const { settings, environment, medians, ratios, targets } = report;
  return [
    `Lichen bus vs raw @nats-io/transport-node — medians of ${settings.rounds} rounds, each interleaved in ${settings.slices} slices`,
    `  raw bytes: ${settings.messages} messages of ${settings.size} B per side and round, publisher and subscriber in one process`,
    `  typed request/reply: ${settings.requests} sequential lichen.health.get requests per side and round (protobuf Heartbeat reply)`,
    `  nats-server ${environment.natsServer} on 127.0.0.1 (started by the benchmark)`,
    `  machine: ${machineSummary(environment)}`,
    '',
    comparisonTable(ROWS, medians, ratios, LICHEN, RAW),
    '',
    targetLines('lichen bus', targets),
  ].join('\n');
}

// ------------------------------------------------------------------------------------------------ main

async function loadLibraries() {
  const missing = BUILT.filter((file) => !existsSync(join(ROOT, file)));
  if (missing.length) throw new Error(`${missing.join(', ')} missing: run \`npx nx run bus:build\` first`);
  const [bus, contracts, logging, nats, protobuf] = await Promise.all([
    import('@lichen/bus'),
    import('@lichen/contracts'),
    import('@lichen/logging'),
    import('@nats-io/transport-node'),
    import('@bufbuild/protobuf'),
  ]);
  return { bus, contracts, logging, nats, protobuf };
}

async function main() {
  const opts = parseArgs(process.argv.slice(2), OPTIONS);
  const began = Date.now();
  const cancelWatchdog = startWatchdog(opts.maxSeconds);
  const libs = await loadLibraries();
  const natsBin = process.env.NATS_SERVER_BIN ?? which('nats-server');
  if (!natsBin) throw new Error('nats-server not found on PATH: install it or set NATS_SERVER_BIN');

  const tmpDir = makeTempDir('lichen-bench-bus-');
  const [port, monitorPort] = [await freePort(), await freePort()];
  const natsArgs = ['-a', '127.0.0.1', '-p', String(port), '-m', String(monitorPort), '-n', 'lichen-bench-bus'];
  const nats = start('nats-server', natsBin, natsArgs, { cwd: ROOT, env: process.env, logDir: tmpDir });
  await waitForHttp(`http://127.0.0.1:${monitorPort}/varz`, 15_000, nats);
  const url = `nats://127.0.0.1:${port}`;

  const sides = [await lichenSide(libs, url), await rawSide(libs, url)];
  log(`warming up: ${opts.warmup} requests and ${opts.warmup * 250} raw messages per side`);
  for (const side of sides) {
    if (opts.warmup > 0) {
      await rawRun(side, opts.warmup * 250, opts.size);
      await requestRun(side, opts.warmup);
    }
  }

  const rounds = [];
  for (let r = 1; r <= opts.rounds; r++) {
    const round = { round: r, ...(await measureRound(sides, opts)) };
    rounds.push(round);
    const brief = (m) =>
      `${Math.round(m.rawMsgsPerSec)} msgs/s, p50 ${m.reqP50Us.toFixed(0)} us, p99 ${m.reqP99Us.toFixed(0)} us`;
    log(`round ${r}/${opts.rounds}: lichen ${brief(round.lichen)} | raw ${brief(round.raw)}`);
  }
  await Promise.all(sides.map((side) => side.close()));

  const keys = ROWS.map(([key]) => key);
  const medians = mediansAcrossRounds(rounds, ['lichen', 'raw'], keys);
  const ratios = ratiosOf(medians.lichen, medians.raw, keys);
  const targets = [
    {
      name: `raw bytes throughput >= ${TARGET_THROUGHPUT_RATIO}x the raw client (ratio)`,
      limit: TARGET_THROUGHPUT_RATIO,
      value: ratios.rawMsgsPerSec,
      pass: ratios.rawMsgsPerSec >= TARGET_THROUGHPUT_RATIO,
    },
    {
      name: `typed request/reply p50 <= ${TARGET_P50_RATIO}x raw (ratio)`,
      limit: TARGET_P50_RATIO,
      value: ratios.reqP50Us,
      pass: ratios.reqP50Us <= TARGET_P50_RATIO,
    },
  ];
  const report = {
    settings: {
      rounds: opts.rounds,
      slices: opts.slices,
      messages: opts.messages,
      size: opts.size,
      requests: opts.requests,
      warmup: opts.warmup,
    },
    environment: {
      node: process.version,
      natsServer: firstLine(natsBin, ['--version']).replace(/^nats-server:\s*/, ''),
      cpus: cpus().length,
      loadavgStart: loadavgAtStart,
      loadavgEnd: loadavgNow(),
      durationSeconds: (Date.now() - began) / 1000,
    },
    units: { throughput: 'messages per second at the subscriber', latency: 'microseconds per request, sequential' },
    medians,
    ratios,
    targets,
    rounds,
  };
  cancelWatchdog();
  await stopAll();
  printReport(report, { json: opts.json, render });
  return opts.strict && targets.some((t) => !t.pass) ? 1 : 0;
}

runBench('bus', main);
