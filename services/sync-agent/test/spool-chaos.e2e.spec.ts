import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bus } from '@lichen/bus';
import { cloudOutSubject, cloudSpool, spoolCursor } from '@lichen/contracts';
import { createLogger } from '@lichen/logging';
import {
  startMosquitto,
  startNatsServer,
  startRedisServer,
  waitFor,
  type TestMosquitto,
  type TestNatsServer,
  type TestRedisServer,
} from '@lichen/testing';
import { LichenProcess } from './lichen-process.js';

// The spool's promise under chaos: every message the spool acknowledged reaches the cloud, across two outages of the
// cloud broker, a crash of the agent and a restart of NATS. The agent is `lichen run sync-agent` on a NATS and a
// Redis of the test's own; the cloud is a persistent Mosquitto and an MQTT 5 client with a persistent session.
const quiet = createLogger({ service: 'spool-chaos-e2e', level: 'silent' });

const TOTAL = 100_000;
/** Producers side by side, each on its own topic, each publishing its next message once the spool stored the last. */
const LANES = 50;
/**
 * Messages per second, all lanes together: about what the agent forwards here while the producers, NATS and both
 * MQTT ends share the machine's two cores, so the stream outlasts the chaos and the agent catches up with a backlog
 * (a full window in flight) after each outage.
 */
const RATE = 3_000;
const PAYLOAD_BYTES = 200;
const THING = 'chaos-gw';
const BROKER_OUTAGE_MS = 3_000;
const encoder = new TextEncoder();

const started = Date.now();
const elapsed = (from = started) => `${((Date.now() - from) / 1_000).toFixed(1)} s`;
const say = (line: string) => console.log(`[spool chaos ${elapsed()}] ${line}`);

/** A message of `PAYLOAD_BYTES` bytes: its index in the whole run and its lane, padded. */
function payloadOf(index: number, lane: number): Uint8Array {
  const head = `{"i":${index},"lane":${lane},"pad":"`;
  return encoder.encode(`${head}${'x'.repeat(PAYLOAD_BYTES - head.length - 2)}"}`);
}

/** Index and lane of a payload the producers made, or undefined for anything else. */
function producedBody(payload: Buffer): { index: number; lane: number } | undefined {
  try {
    const { i: index, lane } = JSON.parse(payload.toString()) as { i?: unknown; lane?: unknown };
    const valid =
      typeof index === 'number' && Number.isSafeInteger(index) && index >= 0 && index < TOTAL && lane === index % LANES;
    return valid ? { index, lane } : undefined;
  } catch {
    return undefined;
  }
}

/** The device: its own NATS (JetStream, file store), Redis, and `lichen run sync-agent` linked to the cloud broker. */
class ChaosDevice {
  nats!: TestNatsServer;
  redis!: TestRedisServer;
  /** The producers' and the test's connection to the device's NATS. */
  bus!: Bus;
  #dataDir = '';
  #agent: LichenProcess | undefined;
  /** What every run of the agent printed. */
  #output = '';

  async start(cloud: TestMosquitto): Promise<void> {
    [this.nats, this.redis] = await Promise.all([startNatsServer({ jetstream: true }), startRedisServer()]);
    this.#dataDir = await mkdtemp(join(tmpdir(), 'lichen-spool-chaos-'));
    this.bus = Bus.connect({ servers: this.nats.url, name: 'spool-chaos-producer', logger: quiet });
    await this.bus.ready;
    await this.startAgent(cloud);
  }

  /** Starts the agent (again) and waits until it serves /metrics and says its link is up. */
  async startAgent(cloud: TestMosquitto): Promise<void> {
    this.#agent = await LichenProcess.start({
      services: ['sync-agent'],
      deviceId: THING,
      dataDir: this.#dataDir,
      natsUrl: this.nats.url,
      redisUrl: this.redis.url,
      env: {
        LICHEN_CLOUD_URL: cloud.url,
        LICHEN_CLOUD_THING_NAME: THING,
        LICHEN_CLOUD_PROTOCOL: '5',
        LICHEN_CLOUD_RECONNECT_MIN: '200ms',
        LICHEN_CLOUD_RECONNECT_MAX: '1s',
      },
      ready: { what: 'be linked to the cloud', check: async (agent) => (await agent.metric('lichen_cloud_connected')) === 1 },
      onOutput: (text) => (this.#output += text),
    });
  }

  /** A crash: SIGKILL, nothing saved on the way out. */
  async killAgent(): Promise<void> {
    await this.#agent?.stop('SIGKILL');
  }

  /** One sample of the agent's /metrics, by name and labels as written there (`name{label="value"}`). */
  async metric(series: string): Promise<number | undefined> {
    if (!this.#agent) throw new Error('the agent was never started');
    return this.#agent.metric(series);
  }

  /** The forwarding cursor as the agent last saved it beside the spool. */
  async savedCursor(): Promise<{ floor: number; sentUpTo: number } | undefined> {
    const stored = await this.bus.jetstream.storedMessage(spoolCursor.stream, { lastOf: spoolCursor.subject });
    return stored && (JSON.parse(new TextDecoder().decode(stored.data)) as { floor: number; sentUpTo: number });
  }

  /** The agent's log lines at warn or above (pino levels 40 to 60), every run of it. */
  get troubles(): string[] {
    return this.#output.split('\n').filter((line) => /"level":("warn"|"error"|"fatal"|[456]0)/.test(line));
  }

  async stop(): Promise<void> {
    await this.killAgent();
    await this.bus?.close();
    await Promise.all([this.nats?.stop({ removeData: true }), this.redis?.stop({ removeData: true })]);
    if (this.#dataDir) await rm(this.#dataDir, { recursive: true, force: true });
  }
}

/**
 * The producers: `LANES` loops side by side, lane `l` publishing indexes l, l + LANES, l + 2 LANES ... on
 * `cloud.out.chaos.lane-<l>`, each once the spool acknowledged the one before, paced to `RATE` in all. A publish that
 * fails (NATS restarting) is sent again with the same `Nats-Msg-Id` until acknowledged, so the spool keeps it once:
 * accepted means acknowledged by the spool.
 */
class Producer {
  accepted = 0;
  retries = 0;
  #issued = 0;
  #startedAt = 0;
  #done: Promise<void> | undefined;

  constructor(private readonly bus: Bus) {}

  start(): void {
    this.#startedAt = Date.now();
    this.#done = Promise.all(Array.from({ length: LANES }, (_, lane) => this.#lane(lane))).then(() => undefined);
  }

  get done(): Promise<void> {
    return this.#done!;
  }

  /** Resolves once `count` messages were acknowledged by the spool. */
  async reached(count: number): Promise<void> {
    while (this.accepted < count) await sleep(20);
  }

  async #lane(lane: number): Promise<void> {
    const subject = cloudOutSubject(`chaos/lane-${lane}`);
    for (let index = lane; index < TOTAL; index += LANES) {
      await this.#pace();
      const payload = payloadOf(index, lane);
      for (;;) {
        try {
          await this.bus.jetstream.publishDurable(subject, payload, { msgId: `chaos-${index}`, timeoutMs: 2_000 });
          break;
        } catch {
          this.retries++;
          await sleep(100);
        }
      }
      this.accepted++;
    }
  }

  /** Waits until one more message keeps within `RATE` per second since the start. */
  async #pace(): Promise<void> {
    const due = this.#startedAt + (++this.#issued * 1_000) / RATE;
    if (due > Date.now()) await sleep(due - Date.now());
  }
}

/**
 * The cloud side: an MQTT 5 client with a persistent session (clean start off, a fixed client id, QoS 1), counting
 * arrivals by spool sequence (from the `lichen-message-id` user property) and by index (from the payload). Order per
 * topic: on a lane, an index arriving for the first time must be above every index seen on it before (a message sent
 * again after a reconnect may come again, and is a duplicate, not a violation).
 */
class Cloud {
  /** Arrivals per spool sequence. */
  readonly timesBySeq = new Map<number, number>();
  readonly orderViolations: string[] = [];
  /** Anything that is not one of the producers' messages with a message id of the thing, or an index under two ids. */
  readonly foreign: string[] = [];
  arrivals = 0;
  uniqueIndexes = 0;
  /** Copies the broker sent again by itself (DUP flag): the cloud client had not acknowledged them before an outage. */
  brokerCopies = 0;
  /** After the agent's restart: copies of messages already at the cloud that the agent sent again. */
  agentCopiesAfterRestart = 0;
  /** Messages the crashed agent sent past the `sentUpTo` it had saved, which reached the cloud, and came again. */
  readonly sentAgainPastTheCursor = new Set<number>();
  #restart: { at: number; sentUpTo: number } | undefined;
  readonly #timesByIndex = new Uint16Array(TOTAL);
  readonly #firstArrivalBySeq = new Map<number, number>();
  readonly #idByIndex = new Map<number, string>();
  readonly #highestOnLane = new Array<number>(LANES).fill(-1);
  #client: MqttClient | undefined;

  async connect(url: string): Promise<void> {
    const client = mqtt.connect(url, {
      clientId: 'chaos-cloud',
      protocolVersion: 5,
      clean: false,
      properties: { sessionExpiryInterval: 3_600 },
      reconnectPeriod: 250,
      connectTimeout: 5_000,
    });
    this.#client = client;
    client.on('message', (topic, payload, packet) => {
      const id = packet.properties?.userProperties?.['lichen-message-id'];
      this.#arrive(topic, typeof id === 'string' ? id : undefined, payload, packet.dup);
    });
    await new Promise((resolve, reject) => {
      client.once('connect', resolve);
      client.once('error', reject);
    });
    // Errors while the broker is away are expected: the client reconnects by itself.
    client.on('error', () => undefined);
    await client.subscribeAsync('chaos/#', { qos: 1 });
  }

  /** The agent starts again after its crash, from a cursor that says `sentUpTo`; what comes from now on is its doing. */
  agentRestarting(sentUpTo: number): void {
    this.#restart = { at: Date.now(), sentUpTo };
  }

  /** Resolves once nothing arrived for `ms`. */
  quiet(ms: number): Promise<true> {
    let seen = this.arrivals;
    let since = Date.now();
    return waitFor(
      () => {
        if (this.arrivals !== seen) [seen, since] = [this.arrivals, Date.now()];
        return Date.now() - since >= ms;
      },
      { what: `no arrival at the cloud for ${ms} ms`, intervalMs: 20 },
    );
  }

  /** Sequences that came more than once, and how many copies more than one came. */
  duplicates(): { messages: number; extraCopies: number } {
    let messages = 0;
    let extraCopies = 0;
    for (const times of this.timesBySeq.values()) {
      if (times > 1) {
        messages++;
        extraCopies += times - 1;
      }
    }
    return { messages, extraCopies };
  }

  missingIndexes(): number[] {
    const missing: number[] = [];
    this.#timesByIndex.forEach((times, index) => times === 0 && missing.push(index));
    return missing;
  }

  close(): Promise<void> {
    return this.#client?.endAsync(true) ?? Promise.resolve();
  }

  #arrive(topic: string, id: string | undefined, payload: Buffer, resentByBroker: boolean): void {
    this.arrivals++;
    const seq = Number(id?.split(':').at(-1));
    const body = producedBody(payload);
    if (!id?.startsWith(`${THING}:`) || !Number.isSafeInteger(seq) || !body || topic !== `chaos/lane-${body.lane}`) {
      this.foreign.push(`${topic} id=${id} ${payload.toString().slice(0, 60)}`);
      return;
    }
    const { index, lane } = body;
    const knownId = this.#idByIndex.get(index);
    if (knownId !== undefined && knownId !== id) this.foreign.push(`index ${index} came as ${knownId} and as ${id}`);
    this.#idByIndex.set(index, id);
    const before = this.timesBySeq.get(seq) ?? 0;
    this.timesBySeq.set(seq, before + 1);
    this.#timesByIndex[index] = this.#timesByIndex[index]! + 1;
    if (before > 0) {
      this.#copy(seq, resentByBroker);
      return;
    }
    this.uniqueIndexes++;
    this.#firstArrivalBySeq.set(seq, Date.now());
    const highest = this.#highestOnLane[lane]!;
    if (index < highest)
      this.orderViolations.push(`lane ${lane}: index ${index} (seq ${seq}) came first after index ${highest}, at ${elapsed()}`);
    else this.#highestOnLane[lane] = index;
  }

  #copy(seq: number, resentByBroker: boolean): void {
    if (resentByBroker) {
      this.brokerCopies++;
      return;
    }
    if (!this.#restart) return;
    this.agentCopiesAfterRestart++;
    if (seq > this.#restart.sentUpTo && this.#firstArrivalBySeq.get(seq)! < this.#restart.at)
      this.sentAgainPastTheCursor.add(seq);
  }
}

/**
 * Watches for the longest time in which `delivered` did not grow while it was below `accepted`: the cloud waiting for
 * messages the spool holds. Sampled every 100 ms until stopped.
 */
function longestPause(delivered: () => number, accepted: () => number): { longestMs: number; stop(): void } {
  const watch = { longestMs: 0, stop: () => clearInterval(timer) };
  let last = delivered();
  let since = Date.now();
  const timer = setInterval(() => {
    const now = delivered();
    if (now !== last || now >= accepted()) {
      last = now;
      since = Date.now();
    }
    watch.longestMs = Math.max(watch.longestMs, Date.now() - since);
  }, 100);
  return watch;
}

let cloudBroker: TestMosquitto;
const device = new ChaosDevice();
const cloud = new Cloud();

beforeAll(async () => {
  cloudBroker = await startMosquitto({ persistence: true });
  await cloud.connect(cloudBroker.url);
  await device.start(cloudBroker);
  say(`device and cloud up: NATS ${device.nats.url}, cloud broker ${cloudBroker.url}`);
}, 90_000);

afterAll(async () => {
  await cloud.close();
  await device.stop();
  await cloudBroker?.stop({ removeData: true });
});

describe('the cloud spool under chaos', () => {
  it(`delivers all ${TOTAL} messages the spool acknowledged across two broker outages, an agent crash and a NATS restart`, async () => {
    const producer = new Producer(device.bus);
    const timeline: string[] = [];
    const mark = (event: string) => {
      const line = `${elapsed()}: ${event} (accepted by the spool ${producer.accepted}, at the cloud ${cloud.uniqueIndexes})`;
      timeline.push(line);
      say(line);
    };
    const brokerOutage = async () => {
      mark('cloud broker stops');
      await cloudBroker.stop();
      await sleep(BROKER_OUTAGE_MS);
      await cloudBroker.start();
      mark('cloud broker started again');
    };
    const producing = Date.now();
    producer.start();

    await producer.reached(TOTAL * 0.15);
    await brokerOutage();

    // The crash comes while the agent catches up with what the outage held back: a full window in flight.
    const backAt = cloud.uniqueIndexes;
    await waitFor(() => cloud.uniqueIndexes > backAt + 2_000, { what: 'the agent to forward again', timeoutMs: 30_000 });
    mark(`agent SIGKILLed, ${await device.metric('lichen_spool_in_flight_messages')} messages in flight`);
    await device.killAgent();
    const cursor = await device.savedCursor();
    mark(`agent gone; the cursor it saved: floor ${cursor?.floor}, sentUpTo ${cursor?.sentUpTo}`);
    // What the broker had from the agent before the crash reaches the cloud first.
    await cloud.quiet(300);
    cloud.agentRestarting(cursor?.sentUpTo ?? 0);
    await device.startAgent(cloudBroker);
    mark('agent started again and linked');

    await producer.reached(TOTAL * 0.5);
    await brokerOutage();

    await producer.reached(TOTAL * 0.65);
    mark('NATS restarts');
    await device.nats.restart();
    mark('NATS started again with its store');
    const pause = longestPause(
      () => cloud.uniqueIndexes,
      () => producer.accepted,
    );

    await producer.done;
    mark(`all ${TOTAL} accepted by the spool (${producer.retries} publishes sent again during the NATS restart)`);
    const produced = Date.now();
    const producedIn = elapsed(producing);
    await waitFor(() => cloud.uniqueIndexes === TOTAL, {
      what: `all ${TOTAL} indexes at the cloud`,
      timeoutMs: 120_000,
      intervalMs: 250,
    }).catch(async (error: Error) => {
      const missing = cloud.missingIndexes();
      say(`MISSING ${missing.length} indexes, the first: ${missing.slice(0, 20).join(', ')}`);
      say(`timeline:\n  ${timeline.join('\n  ')}`);
      say(`agent warnings and errors:\n${device.troubles.slice(-40).join('\n')}`);
      throw error;
    });
    mark('every index at the cloud');
    pause.stop();
    await waitFor(async () => (await device.metric('lichen_spool_depth_messages')) === 0, {
      what: 'the agent to say the spool depth is 0',
      timeoutMs: 15_000,
      intervalMs: 250,
    });

    const spool = await device.bus.jetstream.streamState(cloudSpool.stream);
    const duplicates = cloud.duplicates();
    const suspects = (await device.metric('lichen_spool_duplicate_suspect_messages_total'))!;
    say(
      [
        `produced in ${producedIn} at up to ${RATE}/s; all at the cloud ${elapsed(produced)} after the last one`,
        `longest pause of forwarding after the NATS restart (nothing new at the cloud while the spool had more): ${(pause.longestMs / 1_000).toFixed(1)} s`,
        `spool: ${spool.messages} messages, seq ${spool.firstSeq}..${spool.lastSeq}`,
        `cloud: ${cloud.arrivals} arrivals, ${cloud.uniqueIndexes} unique indexes, ${cloud.timesBySeq.size} unique message ids`,
        `duplicates: ${duplicates.messages} messages came more than once, ${duplicates.extraCopies} extra copies, ${cloud.brokerCopies} of them sent again by the broker (DUP)`,
        `agent since its restart: ${suspects} duplicate suspects, ${await device.metric('lichen_spool_forwarded_messages_total')} forwarded`,
        `copies the restarted agent sent of messages already at the cloud: ${cloud.agentCopiesAfterRestart}, of which ${cloud.sentAgainPastTheCursor.size} had been sent before the crash past the saved sentUpTo (not counted as suspects)`,
        `order violations: ${cloud.orderViolations.length}`,
        ...cloud.orderViolations.slice(0, 10),
        ...cloud.foreign.slice(0, 10),
        `timeline:\n  ${timeline.join('\n  ')}`,
      ].join('\n'),
    );

    // Everything the spool acknowledged arrived, under one message id each, in order on each topic.
    expect(spool.messages).toBe(TOTAL);
    expect(cloud.missingIndexes()).toEqual([]);
    expect(cloud.timesBySeq.size).toBe(TOTAL);
    expect(cloud.foreign).toEqual([]);
    expect(cloud.orderViolations).toEqual([]);
    // The agent dropped and had refused nothing, and says the whole spool is forwarded.
    expect(await device.metric('lichen_spool_dropped_messages_total{reason="bounds"}')).toBe(0);
    expect(await device.metric('lichen_spool_dropped_messages_total{reason="refused"}')).toBe(0);
    expect(await device.metric('lichen_spool_depth_messages')).toBe(0);
    expect(await device.metric('lichen_spool_in_flight_messages')).toBe(0);
    // The restarted agent sent again everything between the saved cursor's floor and its sentUpTo (saved ahead of
    // the sends), counting each as a suspect; its counters start with it, so the first outage's resends are not in
    // them. So no copy it made of a message the cloud had can be missing from its suspects: none was sent before
    // the crash past the saved sentUpTo.
    expect(cursor).toBeDefined();
    expect(cloud.sentAgainPastTheCursor.size).toBe(0);
    expect(suspects).toBeGreaterThanOrEqual(cursor!.sentUpTo - cursor!.floor);
    expect(cloud.agentCopiesAfterRestart).toBeLessThanOrEqual(suspects);
    // Forwarding resumes soon after NATS is back (a silent pull is noticed when it expires, after 5 s).
    expect(pause.longestMs).toBeLessThan(20_000);
  }, 240_000);
});
