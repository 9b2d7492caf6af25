#!/usr/bin/env node
// The sync agent's spool forwarding against Mosquitto's own bridge, in one run, into "cloud" Mosquittos the
// benchmark starts (persistence on, no queue limit, so the cloud itself never drops what it acknowledged; two alike,
// one for the agent and one for the bridges, so that an outage hits only the side under test):
//   - sync:   producer -> Lichen's NATS, core publishes to cloud.out.bench.<tag>, captured by the JetStream spool
//             LICHEN_CLOUD_OUT -> `lichen run sync-agent` -> QoS 1 -> cloud Mosquitto, topic bench/<tag>;
//   - bridge: producer -> a local Mosquitto, QoS 1 to bench/<tag> -> its bridge (`topic bench/# out 1`,
//             `cleansession false`) -> cloud Mosquitto. Two local brokers: one with Mosquitto's default queue
//             limit (max_queued_messages 1000) and one with none (max_queued_messages 0); the bridge figures
//             compared with the agent's are the unlimited one's, the one that does not lose messages by design.
// On each cloud a subscriber (mosquitto_sub, MQTT 5, QoS 1, a persistent session that survives a restart of the
// cloud broker) sees every message; each payload carries its sequence number, the agent's also the MQTT 5 user
// property lichen-message-id. Both sides keep about 20 QoS 1 messages in flight to the cloud: the bridge as
// Mosquitto's max_inflight_messages (20) says, the agent within the cloud's Receive Maximum (Mosquitto's CONNACK
// says 20; the agent keeps 4 of them for its shadow and jobs requests).
//
// A message is "handed over" when the producer's side took charge of it: for the agent, captured by the spool
// (counted in the stream after publishing); for a bridge, acknowledged (PUBACK) by the local broker. It is
// "lost" when it was handed over and never reached the cloud subscriber. Duplicates are counted apart. A phase
// ends once every message handed over arrived, or once a probe sent through the same side after them arrived:
// each side delivers in order, so what is missing then is lost, not late (after an outage the probe also waits
// out the side's reconnect, however long its back-off). Each phase starts with such a probe too.
//
// Each of --runs rounds measures, the first side alternating round by round:
//   - throughput: --messages messages of --size bytes per side, as fast as the producer goes; msgs/s at the cloud
//     subscriber from the first message received to the last (also end to end: from the first publish);
//   - outage: --outage-messages per side; once a quarter of them reached the cloud, the cloud broker is stopped
//     (SIGTERM: it saves its sessions and queues) for --outage-seconds while the producer goes on, then started
//     again on the same port; what each side lost, sent twice, and how long it took after the restart.
// Prints `sync_msgs_per_s=`, `bridge_msgs_per_s=` (medians), the ratio, `sync_lost=`, `bridge_lost=` (the most
// either lost in one outage; the bridge with Mosquitto's defaults) and the agent's RSS first, then tables, the
// CPU each process spent, the agent's own counters, and the targets: sync >= 0.5x the bridge's msgs/s, and no
// loss where the bridge loses. Exits non-zero on errors only (with --strict, also when a target is missed).
//
// Needs the CLI built (npx nx run cli:build), nats-server, redis-server, mosquitto and mosquitto_sub (2.0).
// Loopback traffic only.

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { cpus, userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

import { parseArgs, usageError } from './lib/args.mjs';
import { firstLine, freePort, loadavgNow, which } from './lib/host.mjs';
import { cpuSeconds, rssMb } from './lib/proc-stats.mjs';
import { logTail, makeTempDir, start, stopAll, waitForHttp } from './lib/processes.mjs';
import { machineSummary, printReport, table, targetLines } from './lib/report.mjs';
import { log, runBench, startWatchdog } from './lib/run.mjs';
import { lichenEnvironment, startServers } from './lib/servers.mjs';
import { median } from './lib/stats.mjs';

const SELF = fileURLToPath(import.meta.url);
const ROOT = resolve(dirname(SELF), '../..');
const LICHEN = join(ROOT, 'libs/cli/bin/lichen.js'); // what `npx lichen` runs
const TARGET_THROUGHPUT_RATIO = 0.5;
const THING = 'bench';
const SPOOL_STREAM = 'LICHEN_CLOUD_OUT';
const DEVICE_ID = `bench-sync-${process.pid}`;
const PROBE_WAIT_MS = 120_000; // how long a side may take to deliver a probe (after an outage, its reconnect)
const PROBE_GRACE_MS = 200; // after the closing probe arrived, for the subscriber's pipe to be read
const OUTAGE_AT = 0.25; // the cloud broker stops once this share of the outage messages reached the cloud
const RSS_EVERY_MS = 250;

const USAGE = `usage: node scripts/bench/sync-agent.mjs [options]     (after \`npx nx run cli:build\`)

  --runs N              rounds, the first side alternating, median reported (default 3; --rounds too)
  --messages N          throughput: messages per side and round (default 200000)
  --outage-messages N   outage: messages per side and round, 0 to skip the outage (default 50000)
  --outage-seconds S    outage: how long the cloud broker stays down (default 3)
  --size BYTES          payload size (default 256)
  --batch N             sync producer: a NATS flush every N core publishes (default 500)
  --window N            bridge producer: at most N QoS 1 publishes awaiting their PUBACK (default 2000)
  --max-inflight N      the agent's LICHEN_CLOUD_MAX_INFLIGHT (default: the agent's own, 1000)
  --warmup N            warm-up messages per side before measuring (default 20000)
  --direct              also measure the producer publishing QoS 1 straight to a cloud broker (the ceiling
                        of a cloud broker and its subscriber)
  --metrics-port P      the Lichen process's /metrics port (default: a free one)
  --max-seconds S       abort the whole run after S seconds (default 900)
  --json                print the results as JSON instead of a table
  --strict              exit 1 when a target is missed
  -h, --help            this text

environment:
  BENCH_LICHEN_NODE_FLAGS  node flags for the Lichen process, space-separated (say --cpu-prof --cpu-prof-dir=/tmp/prof)
`;

// ------------------------------------------------------------------------------------------ the payload

/** Microseconds on the machine's monotonic clock (CLOCK_MONOTONIC): comparable across processes. */
function nowUs() {
  const [seconds, nanos] = process.hrtime();
  return seconds * 1e6 + nanos / 1e3;
}

/**
 * A payload factory for `tag`: `<seq> <tag> xxxx...`, `size` bytes of ASCII without `|` or a newline (the
 * subscriber prints one message per line, fields split by `|`).
 */
function payloads(tag, size) {
  const template = Buffer.alloc(size, 'x');
  return (seq) => {
    const head = `${seq} ${tag} `;
    if (head.length > size) throw new Error(`--size ${size} is too small for the payload head "${head}"`);
    const data = Buffer.allocUnsafe(size);
    template.copy(data);
    data.write(head, 0, 'latin1');
    return data;
  };
}

// ------------------------------------------------------------------------------- the producer (--peer)

/** The producer process: answers the orchestrator's requests over IPC, on NATS or MQTT as asked. */
async function runPeer() {
  const connections = new Map();
  const ops = {
    /** `count` core publishes to `subject`, a flush every `batch`; the spool captures them. */
    async natsFlood({ url, subject, count, size, batch, tag }) {
      const nc = await natsConnection(connections, url);
      const make = payloads(tag, size);
      const startUs = nowUs();
      for (let sent = 0; sent < count;) {
        const n = Math.min(batch, count - sent);
        for (let i = 0; i < n; i++) nc.publish(subject, make(sent + i));
        sent += n;
        await nc.flush();
      }
      return { sent: count, acked: count, startUs, endUs: nowUs() };
    },

    /** `count` QoS 1 publishes to `topic`, at most `window` awaiting their PUBACK; `acked` counts the PUBACKs. */
    async mqttFlood({ url, topic, count, size, window, tag }) {
      const client = await mqttConnection(connections, url);
      const make = payloads(tag, size);
      let outstanding = 0;
      let acked = 0;
      let failed = 0;
      let wake;
      const done = (error) => {
        outstanding--;
        if (error) failed++;
        else acked++;
        if (wake && outstanding <= window / 2) {
          const go = wake;
          wake = undefined;
          go();
        }
      };
      const startUs = nowUs();
      for (let seq = 0; seq < count; seq++) {
        while (outstanding >= window) await new Promise((ok) => (wake = ok));
        outstanding++;
        client.publish(topic, make(seq), { qos: 1 }, done);
      }
      const endUs = nowUs();
      const deadline = Date.now() + 30_000;
      while (outstanding > 0 && Date.now() < deadline) await sleep(10);
      return { sent: count, acked, failed, unanswered: outstanding, startUs, endUs };
    },
  };
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

async function natsConnection(connections, url) {
  if (!connections.has(url)) {
    const { connect } = await import('@nats-io/transport-node');
    connections.set(url, await connect({ servers: url, name: 'bench-sync-producer' }));
  }
  return connections.get(url);
}

/** MQTT 3.1.1, clean session: the producer is a device's app publishing to its local broker. */
async function mqttConnection(connections, url) {
  if (!connections.has(url)) {
    const mqtt = await import('mqtt');
    const client = await (mqtt.connectAsync ?? mqtt.default.connectAsync)(url, {
      protocolVersion: 4,
      clean: true,
      clientId: `bench-sync-producer-${process.pid}-${connections.size}`,
      reconnectPeriod: 0,
    });
    // A broker that goes away (the cloud in an outage) closes it: the next call connects again.
    client.on('error', () => undefined);
    client.on('close', () => connections.get(url) === client && connections.delete(url));
    connections.set(url, client);
  }
  return connections.get(url);
}

// ------------------------------------------------------------------------------------------ Mosquitto

/**
 * A Mosquitto of the benchmark's own: `mosquitto -c <its config>` in `dir`, on `port` of 127.0.0.1, with
 * `lines` added to the config. `stop()` is a clean stop (SIGTERM: with persistence it saves its sessions and
 * queues); `start()` starts it again on the same port with the same data.
 */
function mosquittoBroker(name, dir, port, lines) {
  const bin = which('mosquitto') ?? (existsSync('/usr/sbin/mosquitto') ? '/usr/sbin/mosquitto' : undefined);
  if (!bin) throw new Error('mosquitto is needed: apt-get install mosquitto');
  mkdirSync(dir, { recursive: true });
  const config = join(dir, 'mosquitto.conf');
  writeFileSync(
    config,
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      // Run as root, Mosquitto would switch to the user `mosquitto`, who cannot write the temp dir.
      `user ${userInfo().username}`,
      'log_dest stderr',
      'log_type error',
      'log_type warning',
      'log_type notice',
      ...lines,
      '',
    ].join('\n'),
  );
  const broker = {
    name,
    port,
    url: `mqtt://127.0.0.1:${port}`,
    entry: undefined,
    get pid() {
      return broker.entry?.child.pid;
    },
    async start() {
      broker.entry = start(name, bin, ['-c', config], { cwd: dir, env: process.env, logDir: dir });
      await waitForPort(port, 10_000, broker.entry);
    },
    async stop() {
      const { entry } = broker;
      entry.child.kill('SIGTERM');
      const deadline = Date.now() + 10_000;
      while (!entry.exited && Date.now() < deadline) await sleep(20);
      if (!entry.exited) throw new Error(`${name} did not stop within 10 s of SIGTERM:\n${logTail(entry)}`);
    },
  };
  return broker;
}

/** Polls until `port` on 127.0.0.1 accepts a TCP connection; throws when `entry` exits first or at the deadline. */
async function waitForPort(port, timeoutMs, entry) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (entry.exited) throw new Error(`${entry.name} exited during start-up:\n${logTail(entry)}`);
    const open = await new Promise((ok) => {
      const socket = tcpConnect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), ok(true)));
      socket.once('error', () => ok(false));
    });
    if (open) return;
    await sleep(50);
  }
  throw new Error(`${entry.name} did not listen on ${port} within ${timeoutMs / 1000} s:\n${logTail(entry)}`);
}

/** A local broker whose bridge forwards bench/# to the cloud broker with QoS 1, as a device's Mosquitto would. */
function bridgeBroker(name, dir, port, cloud, maxQueuedMessages) {
  return mosquittoBroker(name, dir, port, [
    ...(maxQueuedMessages === undefined ? [] : [`max_queued_messages ${maxQueuedMessages}`]),
    `connection ${name}`,
    `address 127.0.0.1:${cloud.port}`,
    `remote_clientid ${name}-${process.pid}`,
    'topic bench/# out 1',
    'cleansession false',
  ]);
}

// ------------------------------------------------------------------------------------------ the cloud side

/**
 * The subscriber on a cloud broker: mosquitto_sub (MQTT 5, QoS 1 on bench/#, a persistent session that never
 * expires), printing `<topic>|<user properties>|<payload>` per message, counted here into the phase of its tag
 * (`arrivals.phases`). It reconnects by itself after the broker restarts, which kept what it queued meanwhile.
 */
function startCloudSubscriber(cloud, arrivals) {
  const bin = which('mosquitto_sub');
  if (!bin) throw new Error('mosquitto_sub is needed: apt-get install mosquitto-clients');
  const args = [
    '-h',
    '127.0.0.1',
    '-p',
    String(cloud.port),
    '-V',
    'mqttv5',
    '-c',
    '-i',
    `bench-sub-${cloud.port}-${process.pid}`,
  ];
  args.push('-q', '1', '-t', 'bench/#', '-F', '%t|%P|%p', '-k', '10');
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  // Not started through lib/processes (its output is a pipe, not a log): stopped here, whatever ends the run.
  process.on('exit', () => child.exitCode === null && child.kill('SIGKILL'));
  const { phases } = arrivals;
  const subscriber = { child, stderr: '' };
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text) => (subscriber.stderr = (subscriber.stderr + text).slice(-4_000)));
  child.on('exit', (code, signal) => (subscriber.exited = `${code ?? signal}`));
  let rest = '';
  child.stdout.setEncoding('latin1');
  child.stdout.on('data', (chunk) => {
    const now = nowUs();
    const lines = (rest + chunk).split('\n');
    rest = lines.pop();
    for (const line of lines) {
      const a = line.indexOf('|');
      const b = line.indexOf('|', a + 1);
      const phase = phases.get(line.slice(line.indexOf('/') + 1, a));
      if (!phase || b < 0) {
        arrivals.strays++;
        continue;
      }
      phase.arrive(Number.parseInt(line.slice(b + 1), 10), line.slice(a + 1, b), now);
    }
  });
  subscriber.stop = () => child.exitCode === null && child.kill('SIGTERM');
  return subscriber;
}

const ID_PROPERTY = 'lichen-message-id:';

/** What the cloud subscriber saw of one phase's messages (tag): each distinct sequence, duplicates, ids. */
function expectPhase(arrivals, tag, count, withIds) {
  const seen = new Uint8Array(count);
  const phase = {
    tag,
    count,
    received: 0,
    unique: 0,
    outOfRange: 0,
    firstUs: 0,
    lastUs: 0,
    lastArrivalMs: 0,
    ids: withIds ? new Set() : undefined,
    withoutId: 0,
    arrive(seq, properties, now) {
      if (!(seq >= 0 && seq < count)) return void phase.outOfRange++;
      if (phase.received === 0) phase.firstUs = now;
      phase.lastUs = now;
      phase.lastArrivalMs = Date.now();
      phase.received++;
      if (seen[seq] === 0) {
        seen[seq] = 1;
        phase.unique++;
      }
      if (withIds) {
        if (properties.startsWith(ID_PROPERTY)) phase.ids.add(properties.slice(ID_PROPERTY.length));
        else phase.withoutId++;
      }
    },
  };
  arrivals.phases.set(tag, phase);
  return phase;
}

/**
 * Waits until `expected` distinct messages of `phase` arrived, or until a probe sent through the same side after
 * them did: each side delivers in order (the spool in sequence, on one connection; a bridge's queue, on one
 * connection; the cloud's queue for its subscriber), so what has not arrived before that probe never will.
 * After an outage this also waits for the side to reconnect, however long its back-off (up to PROBE_WAIT_MS).
 */
async function settle(rig, side, phase, expected) {
  if (phase.unique >= expected) return;
  await probeSide(rig, side, `${phase.tag}-end`, () => phase.unique >= expected);
  await sleep(PROBE_GRACE_MS);
}

/**
 * Sends probes through `side` (one a second) until one reaches the cloud subscriber, or `until()` holds: its path
 * is up end to end (after an outage, the agent or a bridge may still be waiting to reconnect).
 */
async function probeSide(rig, side, tag, until = () => false) {
  const { arrivals, producer, opts } = rig;
  const phase = expectPhase(arrivals, tag, 1, false);
  const publish = () =>
    side === 'sync'
      ? producer.call('natsFlood', {
          url: rig.servers.natsUrl,
          subject: `cloud.out.bench.${tag}`,
          count: 1,
          size: opts.size,
          batch: 1,
          tag,
        })
      : producer.call('mqttFlood', {
          url: side === 'direct' ? cloudOf(rig, side).broker.url : rig.locals[side].url,
          topic: `bench/${tag}`,
          count: 1,
          size: opts.size,
          window: 1,
          tag,
        });
  const deadline = Date.now() + PROBE_WAIT_MS;
  const done = () => phase.received > 0 || until();
  while (!done()) {
    if (Date.now() > deadline) {
      throw new Error(`no probe sent through the ${SIDES[side].label} reached the cloud within ${PROBE_WAIT_MS / 1000} s`);
    }
    assertSubscribersAlive(rig);
    await publish();
    for (let waited = 0; !done() && waited < 1_000; waited += 10) await sleep(10);
  }
  arrivals.phases.delete(tag);
}

/** The cloud (broker and subscriber) a side delivers to: the agent has one of its own, the bridges share the other. */
function cloudOf(rig, side) {
  return side === 'sync' ? rig.clouds.sync : rig.clouds.bridges;
}

function assertSubscribersAlive(rig) {
  for (const { subscriber } of Object.values(rig.clouds)) {
    if (subscriber.exited) throw new Error(`mosquitto_sub exited (${subscriber.exited}): ${subscriber.stderr}`);
  }
}

// ------------------------------------------------------------------------------------------ Lichen

/** `lichen run sync-agent` on the benchmark's NATS and Redis, linked to the cloud broker, ready on /healthz. */
async function startLichen(tmpDir, servers, cloud, opts) {
  const metricsPort = opts.metricsPort || (await freePort());
  const dataDir = makeTempDir('lichen-bench-sync-data-');
  const env = lichenEnvironment(
    servers,
    { dataDir, deviceId: DEVICE_ID, metricsPort },
    {
      LICHEN_CLOUD_URL: cloud.url,
      LICHEN_CLOUD_THING_NAME: THING,
      ...(opts.maxInflight ? { LICHEN_CLOUD_MAX_INFLIGHT: String(opts.maxInflight) } : {}),
    },
  );
  const nodeFlags = (process.env.BENCH_LICHEN_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean);
  const entry = start('lichen', process.execPath, [...nodeFlags, LICHEN, 'run', 'sync-agent'], {
    cwd: tmpDir,
    env,
    logDir: tmpDir,
  });
  await waitForHttp(`http://127.0.0.1:${metricsPort}/healthz`, 60_000, entry);
  return { entry, metricsUrl: `http://127.0.0.1:${metricsPort}/metrics` };
}

/** How many messages on `subject` the spool holds, once two reads 200 ms apart agree (or it holds `sent`). */
async function capturedBySpool(jsm, subject, sent) {
  let last = -1;
  for (let tries = 0; tries < 50; tries++) {
    const info = await jsm.streams.info(SPOOL_STREAM, { subjects_filter: subject });
    const held = info.state.subjects?.[subject] ?? 0;
    if (held === sent || held === last) return held;
    last = held;
    await sleep(200);
  }
  return last;
}

/** The agent's lichen_cloud_* and lichen_spool_* series, from /metrics, by name (labels kept in the name). */
async function agentCounters(metricsUrl) {
  const text = await (await fetch(metricsUrl)).text();
  const counters = {};
  for (const line of text.split('\n')) {
    const match = /^(lichen_(?:cloud|spool)_[a-z_]+(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (match) counters[match[1]] = Number(match[2]);
  }
  return counters;
}

// ------------------------------------------------------------------------------------------ measuring

const SIDES = {
  sync: { label: 'sync agent', short: 'sync' },
  bridge: { label: 'bridge, no queue limit', short: 'bridge' },
  bridgeDefault: { label: 'bridge, Mosquitto defaults', short: 'bridge (defaults)' },
  direct: { label: 'straight to the cloud', short: 'direct' },
};

/** The processes whose CPU a throughput phase reports, by key, for `side`. */
function cpuPids(rig, side) {
  const { broker, subscriber } = cloudOf(rig, side);
  const pids = { producer: rig.producer.pid, subscriber: subscriber.child.pid, cloud: broker.pid, bench: process.pid };
  if (side === 'sync') Object.assign(pids, { lichen: rig.lichen.entry.child.pid, natsServer: rig.servers.natsPid });
  if (side === 'bridge' || side === 'bridgeDefault') pids.local = rig.locals[side].pid;
  return pids;
}

const PROCESS_LABELS = {
  producer: 'producer (node)',
  natsServer: 'nats-server',
  lichen: 'lichen run sync-agent',
  local: 'local mosquitto (bridge)',
  cloud: 'cloud mosquitto',
  subscriber: 'cloud subscriber (mosquitto_sub)',
  bench: 'this script (counting)',
};

function cpuOf(pids) {
  return Object.fromEntries(Object.entries(pids).map(([key, pid]) => [key, cpuSeconds(pid)]));
}

/**
 * One phase: `count` messages through `side` under `tag`, with the cloud broker stopped for a while mid-stream
 * when `outage`. Returns what arrived, what was lost and, without an outage, msgs/s and CPU.
 */
async function runPhase(rig, side, count, tag, outage = false) {
  const { opts, producer, arrivals } = rig;
  await probeSide(rig, side, `probe-${tag}`);
  const phase = expectPhase(arrivals, tag, count, side === 'sync');
  const pids = outage ? undefined : cpuPids(rig, side);
  const cpuBefore = pids && cpuOf(pids);
  const wallStart = nowUs();
  const rss = { max: 0 };
  const sampling =
    side === 'sync'
      ? setInterval(() => (rss.max = Math.max(rss.max, rssMb(rig.lichen.entry.child.pid))), RSS_EVERY_MS)
      : undefined;
  const flood =
    side === 'sync'
      ? producer.call('natsFlood', {
          url: rig.servers.natsUrl,
          subject: `cloud.out.bench.${tag}`,
          count,
          size: opts.size,
          batch: opts.batch,
          tag,
        })
      : producer.call('mqttFlood', {
          url: side === 'direct' ? cloudOf(rig, side).broker.url : rig.locals[side].url,
          topic: `bench/${tag}`,
          count,
          size: opts.size,
          window: opts.window,
          tag,
        });
  const interruption = outage ? interruptCloud(rig, side, phase, Math.ceil(count * OUTAGE_AT)) : undefined;
  interruption?.catch(() => undefined); // awaited below, once the producer is done; not an unhandled rejection meanwhile
  let sent;
  try {
    sent = await flood;
    const handedOver = side === 'sync' ? await capturedBySpool(rig.jsm, `cloud.out.bench.${tag}`, sent.sent) : sent.acked;
    const stopped = await interruption;
    await settle(rig, side, phase, handedOver);
    const wallUs = nowUs() - wallStart;
    const cpuAfter = pids && cpuOf(pids);
    arrivals.phases.delete(tag);
    const result = {
      side,
      tag,
      published: sent.sent,
      handedOver,
      // Published and not taken in charge: not captured by the spool, or not acknowledged by the local broker.
      notHandedOver: sent.sent - handedOver,
      received: phase.received,
      unique: phase.unique,
      lost: handedOver - phase.unique,
      duplicates: phase.received - phase.unique,
      outOfRange: phase.outOfRange,
      producerMsgsPerSec: sent.sent / ((sent.endUs - sent.startUs) / 1e6),
    };
    if (phase.ids) Object.assign(result, { distinctIds: phase.ids.size, withoutId: phase.withoutId });
    if (side === 'sync') result.rssMbMax = rss.max;
    if (stopped) {
      Object.assign(result, stopped.facts, {
        recoverySeconds: phase.lastArrivalMs > stopped.backAtMs ? (phase.lastArrivalMs - stopped.backAtMs) / 1000 : null,
      });
    } else if (phase.unique > 0) {
      result.msgsPerSec = phase.unique / Math.max(1e-6, (phase.lastUs - phase.firstUs) / 1e6);
      result.endToEndMsgsPerSec = phase.unique / ((phase.lastUs - sent.startUs) / 1e6);
      result.cpuUsPerMsg = {};
      result.cores = {};
      for (const key of Object.keys(pids)) {
        const seconds = cpuAfter[key] - cpuBefore[key];
        result.cpuUsPerMsg[key] = (seconds * 1e6) / phase.unique;
        result.cores[key] = seconds / (wallUs / 1e6);
      }
    }
    return result;
  } finally {
    clearInterval(sampling);
    await interruption?.catch(() => undefined);
  }
}

/**
 * Stops the side's cloud broker once `atUnique` messages of `phase` arrived, keeps it down for --outage-seconds,
 * starts it again. Resolves to when it was back and what had arrived before the stop.
 */
async function interruptCloud(rig, side, phase, atUnique) {
  const { broker } = cloudOf(rig, side);
  const deadline = Date.now() + 60_000;
  while (phase.unique < atUnique) {
    if (Date.now() > deadline) throw new Error(`outage: only ${phase.unique} of ${atUnique} messages reached the cloud in 60 s`);
    await sleep(2);
  }
  const receivedAtStop = phase.unique;
  await broker.stop();
  const stoppedAtMs = Date.now();
  await sleep(rig.opts.outageSeconds * 1000);
  await broker.start();
  const backAtMs = Date.now();
  return { backAtMs, facts: { receivedAtStop, downSeconds: (backAtMs - stoppedAtMs) / 1000 } };
}

/** Throughput, then the outage, for each side in this round's order. */
async function measureRound(rig, round) {
  const { opts } = rig;
  const order = round % 2 ? ['sync', 'bridge', 'bridgeDefault'] : ['bridge', 'bridgeDefault', 'sync'];
  if (opts.direct) order.push('direct');
  const throughput = {};
  for (const side of order) {
    throughput[side] = await runPhase(rig, side, opts.messages, `r${round}-${side}-tp`);
    log(`  round ${round}: ${SIDES[side].short}: ${briefThroughput(throughput[side])}`);
  }
  const outage = {};
  if (opts.outageMessages > 0) {
    for (const side of order.filter((s) => s !== 'direct')) {
      outage[side] = await runPhase(rig, side, opts.outageMessages, `r${round}-${side}-out`, true);
      log(
        `  round ${round}: ${SIDES[side].short} with a ${outage[side].downSeconds.toFixed(1)} s outage: ${briefOutage(outage[side])}`,
      );
    }
  }
  return { throughput, outage };
}

function briefThroughput(r) {
  return (
    `${r.msgsPerSec?.toFixed(0) ?? 'n/a'} msgs/s (end to end ${r.endToEndMsgsPerSec?.toFixed(0) ?? 'n/a'}, ` +
    `producer ${r.producerMsgsPerSec.toFixed(0)}), lost ${r.lost} of ${r.handedOver}, duplicates ${r.duplicates}` +
    (r.notHandedOver ? `, ${r.notHandedOver} published but not handed over` : '')
  );
}

function briefOutage(r) {
  const recovery =
    r.recoverySeconds === null ? 'nothing after the restart' : `last message ${r.recoverySeconds.toFixed(1)} s after the restart`;
  const notHanded = r.notHandedOver ? `, ${r.notHandedOver} published but not handed over` : '';
  return `lost ${r.lost} of ${r.handedOver}, duplicates ${r.duplicates}, ${recovery}${notHanded}`;
}

// ------------------------------------------------------------------------------------------- the rig

/** Starts the producer (this script with --peer) and returns a way to call it over IPC. */
async function startProducer(tmpDir) {
  const entry = start('producer', process.execPath, [SELF, '--peer'], { cwd: ROOT, env: process.env, logDir: tmpDir, ipc: true });
  const pending = new Map();
  let nextId = 0;
  let ready;
  const readyOrExit = new Promise((ok, ko) => (ready = { ok, ko }));
  entry.child.on('message', (message) => {
    if (message.ready) return ready.ok();
    const call = pending.get(message.id);
    pending.delete(message.id);
    if (message.error) call?.ko(new Error(`producer: ${message.error}`));
    else call?.ok(message.result);
  });
  entry.child.on('exit', (code, signal) => {
    const error = new Error(`the producer exited (${code ?? signal}):\n${logTail(entry)}`);
    ready.ko(error);
    for (const call of pending.values()) call.ko(error);
    pending.clear();
  });
  const timeout = sleep(15_000).then(() => {
    throw new Error(`the producer did not start within 15 s:\n${logTail(entry)}`);
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

// ------------------------------------------------------------------------------------------- reporting

const PROCESS_ORDER = ['producer', 'natsServer', 'lichen', 'local', 'cloud', 'subscriber', 'bench'];

function render(report) {
  const { settings, medians, outage, agent, environment } = report;
  const sides = Object.keys(medians.throughput);
  const fixed = (value, digits = 0) => (value === undefined || value === null ? 'n/a' : value.toFixed(digits));
  const throughputRows = sides.map((side) => {
    const m = medians.throughput[side];
    return [
      SIDES[side].label,
      fixed(m.msgsPerSec),
      fixed(m.endToEndMsgsPerSec),
      fixed(m.producerMsgsPerSec),
      String(m.lostTotal),
      String(m.duplicatesTotal),
    ];
  });
  const cpuRows = PROCESS_ORDER.filter((key) =>
    sides.some((side) => medians.throughput[side].cpuUsPerMsg[key] !== undefined),
  ).map((key) => [
    PROCESS_LABELS[key],
    ...sides.map((side) => {
      const us = medians.throughput[side].cpuUsPerMsg[key];
      return us === undefined ? '-' : `${us.toFixed(1)} / ${medians.throughput[side].cores[key].toFixed(2)}`;
    }),
  ]);
  const outageRows = Object.entries(outage).map(([side, runs]) => [
    SIDES[side].label,
    runs.map((r) => `${r.lost}`).join(', '),
    runs.map((r) => `${r.duplicates}`).join(', '),
    runs.map((r) => (r.recoverySeconds === null ? 'n/a' : r.recoverySeconds.toFixed(1))).join(', '),
    runs.map((r) => r.downSeconds.toFixed(1)).join(', '),
  ]);
  const counters = Object.entries(agent.counters)
    .filter(([name]) => /_total|connected/.test(name))
    .map(([name, value]) => `  ${name} ${value}`);
  return [
    `sync_msgs_per_s=${fixed(report.syncMsgsPerSec)}`,
    `bridge_msgs_per_s=${fixed(report.bridgeMsgsPerSec)}`,
    `throughput_ratio=${fixed(report.throughputRatio, 2)}`,
    `sync_lost=${report.syncLost ?? 'n/a'}`,
    `bridge_lost=${report.bridgeLost ?? 'n/a'}`,
    `sync_rss_mb=${fixed(agent.rssMbMax, 1)}`,
    '',
    `Sync agent vs Mosquitto's bridge into cloud Mosquittos, QoS 1 — medians of ${settings.runs} rounds, the first side alternating`,
    `  ${settings.size} B payloads; sync: core publishes to cloud.out.bench.<tag> (a flush every ${settings.batch}), captured by ` +
      `${SPOOL_STREAM}, forwarded by \`lichen run sync-agent\` (LICHEN_CLOUD_MAX_INFLIGHT ${settings.maxInflight || 'default'}, and within ` +
      "the cloud's Receive Maximum, 20 from Mosquitto); " +
      `bridge: QoS 1 publishes to a local Mosquitto (at most ${settings.window} awaiting PUBACK), bridged with \`topic bench/# out 1\``,
    `  clouds: Mosquitto ${environment.mosquitto} (persistence, max_queued_messages 0), one for the agent, one for the bridges; ` +
      'on each a subscriber: mosquitto_sub, MQTT 5, QoS 1, persistent session',
    `  lost = handed over (captured by the spool / PUBACKed by the local broker) and never seen by the cloud subscriber`,
    '',
    `throughput, ${settings.messages} messages per side and round (msgs/s at the cloud, first to last received; end to end from the first publish):`,
    table(['side', 'msgs/s', 'end to end', 'producer msgs/s', 'lost (all rounds)', 'duplicates'], throughputRows),
    `  ratio sync / bridge (no queue limit): ${fixed(report.throughputRatio, 2)}; sync / bridge (defaults): ${fixed(report.throughputRatioDefaults, 2)}`,
    '',
    'CPU during the throughput phases (medians): microseconds per message / cores busy',
    table(['process', ...sides.map((side) => SIDES[side].short)], cpuRows),
    ...(medians.throughput.sync
      ? [
          `  at ${fixed(medians.throughput.sync.cpuUsPerMsg.lichen, 1)} us of CPU per message, one whole core would let the agent forward ` +
            `${fixed(1e6 / medians.throughput.sync.cpuUsPerMsg.lichen)} msgs/s`,
        ]
      : []),
    '',
    ...(outageRows.length
      ? [
          `outage: ${settings.outageMessages} messages per side and round, the cloud broker stopped (SIGTERM) once ${OUTAGE_AT * 100}% ` +
            `arrived, down ~${settings.outageSeconds} s, started again; per round:`,
          table(['side', 'lost', 'duplicates', 's from restart to last message', 's down'], outageRows),
          '',
        ]
      : []),
    `agent: RSS ${fixed(agent.rssMbReady, 1)} MB ready, ${fixed(agent.rssMbMax, 1)} MB at most while forwarding ` +
      `(VmRSS every ${RSS_EVERY_MS} ms), ${fixed(agent.rssMbAfter, 1)} MB after; its counters at the end ` +
      '(one connection more for each outage of its cloud):',
    ...counters,
    `  lichen-message-id: ${
      report.messageIds.withoutId === 0 && report.messageIds.phasesWithIdsNotOnePerMessage.length === 0
        ? 'on every message the agent forwarded, one distinct id per message (a duplicate repeats its id)'
        : `MISSING on ${report.messageIds.withoutId} messages; not one id per message in ${report.messageIds.phasesWithIdsNotOnePerMessage.join(', ') || 'no phase'}`
    }`,
    ...(report.strays
      ? [`  ${report.strays} lines at the cloud subscriber belonged to no phase (probes after their end, or unparsable)`]
      : []),
    '',
    targetLines('sync agent', report.targets),
    '',
    machineSummary(environment),
  ].join('\n');
}

// ------------------------------------------------------------------------------------------------ main

const OPTIONS = {
  name: 'sync-agent',
  usage: USAGE,
  defaults: {
    runs: 3,
    messages: 200_000,
    outageMessages: 50_000,
    outageSeconds: 3,
    size: 256,
    batch: 500,
    window: 2_000,
    maxInflight: 0,
    warmup: 20_000,
    direct: false,
    metricsPort: 0,
    maxSeconds: 900,
    json: false,
    strict: false,
  },
  integers: {
    '--runs': ['runs', 1],
    '--rounds': ['runs', 1],
    '--messages': ['messages', 1_000],
    '--outage-messages': ['outageMessages', 0],
    '--outage-seconds': ['outageSeconds', 1],
    '--size': ['size', 64],
    '--batch': ['batch', 1],
    '--window': ['window', 1],
    '--max-inflight': ['maxInflight', 1],
    '--warmup': ['warmup', 0],
    '--metrics-port': ['metricsPort', 1],
    '--max-seconds': ['maxSeconds', 10],
  },
  switches: { '--direct': 'direct', '--json': 'json', '--strict': 'strict' },
};

async function main() {
  const opts = parseArgs(process.argv.slice(2), OPTIONS);
  if (opts.outageMessages > 0 && opts.outageMessages < 1_000) {
    usageError('sync-agent', `--outage-messages expects 0 (no outage) or at least 1000, got ${opts.outageMessages}`);
  }
  const began = Date.now();
  const loadavgStart = loadavgNow();
  const cancelWatchdog = startWatchdog(opts.maxSeconds);
  if (!existsSync(join(ROOT, 'libs/cli/dist/main.js'))) throw new Error('the CLI is not built: npx nx run cli:build');
  payloads(`probe-r${opts.runs}-bridgeDefault-out`, opts.size)(opts.messages); // a size too small fails here, before anything starts

  const tmpDir = makeTempDir('lichen-bench-sync-');
  const servers = await startServers(tmpDir);
  const arrivals = { phases: new Map(), strays: 0 };
  const clouds = {};
  for (const name of ['sync', 'bridges']) {
    const dir = join(tmpDir, `cloud-${name}`);
    const broker = mosquittoBroker(`cloud-${name}`, dir, await freePort(), [
      'persistence true',
      `persistence_location ${dir}/`,
      'max_queued_messages 0',
    ]);
    await broker.start();
    clouds[name] = { broker, subscriber: startCloudSubscriber(broker, arrivals) };
  }
  const bridgesCloud = clouds.bridges.broker;
  const locals = {
    bridge: bridgeBroker('bridge-unlimited', join(tmpDir, 'bridge-unlimited'), await freePort(), bridgesCloud, 0),
    bridgeDefault: bridgeBroker('bridge-defaults', join(tmpDir, 'bridge-defaults'), await freePort(), bridgesCloud, undefined),
  };
  for (const local of Object.values(locals)) await local.start();
  const producer = await startProducer(tmpDir);
  const lichen = await startLichen(tmpDir, servers, clouds.sync.broker, opts);
  const { connect } = await import('@nats-io/transport-node');
  const { jetstreamManager } = await import('@nats-io/jetstream');
  const nc = await connect({ servers: servers.natsUrl, name: 'bench-sync-orchestrator' });
  const jsm = await jetstreamManager(nc);
  const spoolDeadline = Date.now() + 30_000;
  while (!(await jsm.streams.info(SPOOL_STREAM).catch(() => undefined))) {
    if (Date.now() > spoolDeadline) throw new Error(`the agent did not make the spool ${SPOOL_STREAM} within 30 s`);
    await sleep(100);
  }
  const rig = { opts, servers, clouds, arrivals, locals, producer, lichen, jsm };
  for (const side of ['direct', 'bridge', 'bridgeDefault', 'sync']) await probeSide(rig, side, `probe-${side}`);
  const rssMbReady = rssMb(lichen.entry.child.pid);
  log(`all paths deliver (agent pid ${lichen.entry.child.pid}, ${rssMbReady.toFixed(1)} MB)`);

  if (opts.warmup > 0) {
    log(`warming up: ${opts.warmup} messages per side`);
    for (const side of ['sync', 'bridge', 'bridgeDefault']) await runPhase(rig, side, opts.warmup, `warm-${side}`);
  }
  const rounds = [];
  for (let round = 1; round <= opts.runs; round++) {
    log(`round ${round}/${opts.runs}`);
    rounds.push(await measureRound(rig, round));
  }
  const counters = await agentCounters(lichen.metricsUrl);
  const rssMbAfter = rssMb(lichen.entry.child.pid);
  cancelWatchdog();
  await nc.drain();

  const sides = Object.keys(rounds[0].throughput);
  const throughputMedians = {};
  for (const side of sides) {
    const runs = rounds.map((r) => r.throughput[side]);
    const med = (read) => (runs.every((r) => read(r) !== undefined) ? median(runs.map(read)) : undefined);
    const keys = Object.keys(runs[0].cpuUsPerMsg ?? {});
    throughputMedians[side] = {
      msgsPerSec: med((r) => r.msgsPerSec),
      endToEndMsgsPerSec: med((r) => r.endToEndMsgsPerSec),
      producerMsgsPerSec: med((r) => r.producerMsgsPerSec),
      lostTotal: runs.reduce((n, r) => n + r.lost, 0),
      duplicatesTotal: runs.reduce((n, r) => n + r.duplicates, 0),
      cpuUsPerMsg: Object.fromEntries(keys.map((key) => [key, med((r) => r.cpuUsPerMsg?.[key])])),
      cores: Object.fromEntries(keys.map((key) => [key, med((r) => r.cores?.[key])])),
    };
  }
  const outage = {};
  for (const side of Object.keys(rounds[0].outage)) outage[side] = rounds.map((r) => r.outage[side]);
  const worst = (side) => (outage[side] ? Math.max(...outage[side].map((r) => r.lost)) : undefined);
  const sync = throughputMedians.sync;
  const bridge = throughputMedians.bridge;
  const throughputRatio = sync.msgsPerSec / bridge.msgsPerSec;
  const syncLostAnywhere = sync.lostTotal + (outage.sync ?? []).reduce((n, r) => n + r.lost, 0);
  const bridgeLostAnywhere =
    throughputMedians.bridgeDefault.lostTotal + (outage.bridgeDefault ?? []).reduce((n, r) => n + r.lost, 0);
  // Every message the agent forwarded carries lichen-message-id, one per message: duplicates repeat it.
  const syncPhases = rounds.flatMap((r) => [r.throughput.sync, r.outage.sync].filter(Boolean));
  const messageIds = {
    withoutId: syncPhases.reduce((n, r) => n + r.withoutId, 0),
    phasesWithIdsNotOnePerMessage: syncPhases.filter((r) => r.distinctIds !== r.unique).map((r) => r.tag),
  };
  const rssMbMax = Math.max(...rounds.flatMap((r) => [r.throughput.sync.rssMbMax, r.outage.sync?.rssMbMax ?? 0]));
  const targets = [
    {
      name: `sync msgs/s >= ${TARGET_THROUGHPUT_RATIO}x the bridge's (no queue limit) (ratio)`,
      limit: TARGET_THROUGHPUT_RATIO,
      value: throughputRatio,
      pass: throughputRatio >= TARGET_THROUGHPUT_RATIO,
    },
    {
      name: `no message lost by the agent, all phases and rounds (the bridge with defaults lost ${bridgeLostAnywhere}) (lost)`,
      limit: 0,
      value: syncLostAnywhere,
      pass: syncLostAnywhere === 0,
    },
  ];
  const report = {
    syncMsgsPerSec: sync.msgsPerSec,
    bridgeMsgsPerSec: bridge.msgsPerSec,
    throughputRatio,
    throughputRatioDefaults: sync.msgsPerSec / throughputMedians.bridgeDefault.msgsPerSec,
    syncLost: worst('sync'),
    bridgeLost: worst('bridgeDefault'),
    bridgeUnlimitedLost: worst('bridge'),
    medians: { throughput: throughputMedians },
    outage,
    agent: { pid: lichen.entry.child.pid, rssMbReady, rssMbMax, rssMbAfter, counters },
    strays: arrivals.strays,
    messageIds,
    targets,
    settings: {
      runs: opts.runs,
      messages: opts.messages,
      outageMessages: opts.outageMessages,
      outageSeconds: opts.outageSeconds,
      size: opts.size,
      batch: opts.batch,
      window: opts.window,
      maxInflight: opts.maxInflight,
      warmup: opts.warmup,
    },
    environment: {
      node: process.version,
      natsServer: firstLine(which('nats-server'), ['--version']).replace(/^nats-server:\s*/, ''),
      mosquitto: firstLine(which('mosquitto') ?? '/usr/sbin/mosquitto', ['-h']).replace(/^mosquitto version\s*/, ''),
      cpus: cpus().length,
      loadavgStart,
      loadavgEnd: loadavgNow(),
      durationSeconds: (Date.now() - began) / 1000,
    },
    rounds,
  };
  for (const { subscriber } of Object.values(clouds)) subscriber.stop();
  await stopAll();
  printReport(report, { json: opts.json, render });
  return opts.strict && targets.some((t) => !t.pass) ? 1 : 0;
}

if (process.argv[2] === '--peer') {
  runPeer().catch((error) => {
    process.stderr.write(`sync-agent bench producer: ${error?.stack ?? error}\n`);
    process.exit(1);
  });
} else {
  runBench('sync-agent', main);
}
