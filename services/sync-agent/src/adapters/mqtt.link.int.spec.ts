import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeTestPki, startMosquitto, waitFor, type TestMosquitto, type TestPki } from '@lichen/testing';
import type { CloudMessage, LinkStatus } from '../domain/link/cloud-link.js';
import { MqttLink, type MqttLinkSettings } from './mqtt.link.js';

// The link against Mosquitto brokers of the test's own: plain, stopped and started again, TLS with client certificates.
const reconnect = { minMs: 50, maxMs: 400 };
const bytes = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array) => new TextDecoder().decode(data);

const brokers: TestMosquitto[] = [];
const links: MqttLink[] = [];
const clients: MqttClient[] = [];

async function broker(options: Parameters<typeof startMosquitto>[0] = {}): Promise<TestMosquitto> {
  const started = await startMosquitto(options);
  brokers.push(started);
  return started;
}

function linkTo(url: string, settings: Partial<MqttLinkSettings> = {}): MqttLink {
  const link = new MqttLink({
    url,
    clientId: `thing-${Math.random().toString(36).slice(2, 8)}`,
    protocolVersion: 5,
    keepaliveMs: 60_000,
    sessionExpiryMs: 60_000,
    reconnect,
    connectTimeoutMs: 5_000,
    ...settings,
  });
  links.push(link);
  return link;
}

/** Every status the link goes through from now on. */
/** Every status the link reports, with when it was reported (`seenAt`, ms since the epoch). */
function statusesOf(link: MqttLink): (LinkStatus & { seenAt: number })[] {
  const seen: (LinkStatus & { seenAt: number })[] = [];
  link.onStatus((status) => seen.push({ ...status, seenAt: Date.now() }));
  return seen;
}

/** What the cloud side receives: topic, payload text, QoS and MQTT 5 user properties. */
interface Received {
  topic: string;
  payload: string;
  qos: number;
  userProperties?: Record<string, string | string[]>;
}

/** A plain MQTT 5 client on the cloud side, listening on `filter` when given. */
async function cloudClient(url: string, filter?: string): Promise<{ client: MqttClient; received: Received[] }> {
  const client = await mqtt.connectAsync(url, { protocolVersion: 5, reconnectPeriod: 0, connectTimeout: 5_000 });
  clients.push(client);
  const received: Received[] = [];
  client.on('message', (topic, payload, packet) =>
    received.push({ topic, payload: payload.toString(), qos: packet.qos, userProperties: packet.properties?.userProperties }),
  );
  if (filter) await client.subscribeAsync(filter, { qos: 1 });
  return { client, received };
}

/**
 * Publishes `body` on `topic` from another client until the link's subscription delivers it: the broker drops what
 * is published before the link's SUBSCRIBE reached it, so the first tries may go nowhere.
 */
async function deliveredThroughLink(publisher: MqttClient, topic: string, body: string, inbound: CloudMessage[]): Promise<void> {
  await waitFor(
    async () => {
      if (inbound.some((message) => message.topic === topic && text(message.payload) === body)) return true;
      await publisher.publishAsync(topic, body, { qos: 1 });
      return false;
    },
    { what: `"${body}" on ${topic} through the link's subscription`, intervalMs: 100 },
  );
}

/** The wait before attempt `failures + 1`: between half and all of `minMs` doubled `failures` times, at most `maxMs`. */
function expectedWait(failures: number): [number, number] {
  const ceiling = Math.min(reconnect.maxMs, reconnect.minMs * 2 ** failures);
  return [ceiling / 2, ceiling];
}

afterEach(async () => {
  await Promise.all(links.splice(0).map((link) => link.stop()));
  await Promise.all(clients.splice(0).map((client) => client.endAsync(true)));
});

afterAll(async () => {
  await Promise.all(brokers.splice(0).map((started) => started.stop({ removeData: true })));
});

describe('MqttLink', () => {
  let plain: TestMosquitto;

  beforeAll(async () => {
    plain = await broker();
  });

  it('connects, says so to its listeners, and publishes QoS 1 with the message id as an MQTT 5 user property', async () => {
    const cloud = await cloudClient(plain.url, 'factory/#');
    const link = linkTo(plain.url);
    const statuses = statusesOf(link);
    expect(link.status.state).toBe('disconnected');

    link.start();
    await waitFor(() => link.status.state === 'connected', { what: 'the link to connect' });
    expect(statuses.map(({ state }) => state)).toEqual(['connecting', 'connected']);
    expect(link.status.lastError).toBeUndefined();

    await link.publish('factory/line-3/alerts', bytes('{"t": 45.5}'), { messageId: 'gw-1:m1x2k3:7' });
    await waitFor(() => cloud.received.length === 1, { what: 'the message at the cloud side' });
    expect(cloud.received).toEqual([
      {
        topic: 'factory/line-3/alerts',
        payload: '{"t": 45.5}',
        qos: 1,
        userProperties: { 'lichen-message-id': 'gw-1:m1x2k3:7' },
      },
    ]);
  });

  it('wraps payload and id in an envelope with MQTT 3.1.1, which has no user properties', async () => {
    const cloud = await cloudClient(plain.url, 'factory/#');
    const link = linkTo(plain.url, { protocolVersion: 4 });
    link.start();
    await waitFor(() => link.status.state === 'connected', { what: 'the link to connect' });

    await link.publish('factory/line-3/temperature', bytes('{"t": 45.5}'), { messageId: 'gw-1:m1x2k3:8' });
    await link.publish('factory/line-3/raw', Uint8Array.of(0xff, 0x00), { messageId: 'gw-1:m1x2k3:9' });
    await waitFor(() => cloud.received.length === 2, { what: 'both messages at the cloud side' });
    expect(cloud.received).toEqual([
      {
        topic: 'factory/line-3/temperature',
        payload: '{"id":"gw-1:m1x2k3:8","payload":{"t": 45.5}}',
        qos: 1,
        userProperties: undefined,
      },
      {
        topic: 'factory/line-3/raw',
        payload: '{"id":"gw-1:m1x2k3:9","payloadBase64":"/wA="}',
        qos: 1,
        userProperties: undefined,
      },
    ]);
  });

  it('fails the publish in flight when the broker goes, waits longer after each failed attempt, and comes back by itself with its subscriptions', async () => {
    // Not persistent: the restarted broker has forgotten the session, so only a SUBSCRIBE made again delivers.
    const own = await broker();
    const link = linkTo(own.url);
    const inbound: CloudMessage[] = [];
    link.subscribe('commands/+/restart', (message) => inbound.push(message));
    link.start();
    await waitFor(() => link.status.state === 'connected', { what: 'the link to connect' });
    const before = await cloudClient(own.url);
    await deliveredThroughLink(before.client, 'commands/a/restart', 'before the stop', inbound);

    // A paused broker takes the PUBLISH and sends no PUBACK; killing it then leaves that publish in flight.
    process.kill(own.pid!, 'SIGSTOP');
    const statuses = statusesOf(link);
    const outcome = link.publish('telemetry/x', bytes('{}'), { messageId: 'in-flight' }).then(
      () => 'confirmed',
      (error: Error) => error.message,
    );
    await own.kill();
    expect(await outcome).toMatch(/^the link to the cloud broker is down: /);
    await waitFor(() => link.status.state !== 'connected', { what: 'the link to see the broker gone' });
    await expect(link.publish('telemetry/x', bytes('{}'))).rejects.toThrow('the link to the cloud broker is down');

    // Six failures in a row: each wait between half and all of the doubled one, so they grow until the doubled
    // wait reaches the maximum (the fourth, 400 ms), and then stay between half and all of the maximum.
    const failures = () => statuses.filter(({ state }) => state === 'disconnected');
    await waitFor(() => failures().length >= 6, { what: 'six failed attempts', timeoutMs: 10_000 });
    const waits = failures()
      .slice(0, 6)
      .map(({ retryAt, seenAt }) => retryAt! - seenAt);
    // retryAt is set a moment before the status is seen: a few ms of slack on the low side.
    waits.forEach((wait, failure) => {
      const [low, high] = expectedWait(failure);
      expect(wait, `wait after failure ${failure + 1} of ${JSON.stringify(waits)}`).toBeGreaterThanOrEqual(low - 3);
      expect(wait, `wait after failure ${failure + 1} of ${JSON.stringify(waits)}`).toBeLessThanOrEqual(high);
    });
    const growing = waits.slice(0, 4);
    expect(growing).toEqual([...growing].sort((a, b) => a - b));
    expect(failures()[5]!.lastError).toMatch(
      /^nothing listens at the broker's address \(connect ECONNREFUSED 127\.0\.0\.1:\d+\)$/,
    );
    expect(link.status).toMatchObject({ state: expect.stringMatching(/^(disconnected|connecting)$/) });

    await own.start();
    await waitFor(() => link.status.state === 'connected', { what: 'the link to reconnect by itself', timeoutMs: 5_000 });
    const after = await cloudClient(own.url);
    await deliveredThroughLink(after.client, 'commands/b/restart', 'after the start', inbound);
    expect(inbound.map(({ topic }) => topic)).toContain('commands/b/restart');
  });

  it('says why it cannot reach a broker that is not there, and keeps trying', async () => {
    const gone = await broker();
    await gone.stop();
    const link = linkTo(gone.url);
    const statuses = statusesOf(link);
    link.start();
    await waitFor(() => statuses.filter(({ state }) => state === 'disconnected').length >= 2, { what: 'two failed attempts' });
    expect(link.status.lastError).toMatch(/^nothing listens at the broker's address/);
    expect(statuses.some(({ state }) => state === 'connected')).toBe(false);
  });
});

describe('MqttLink over TLS with a client certificate', () => {
  let pkiDir: string;
  let pki: TestPki;
  let secure: TestMosquitto;

  beforeAll(async () => {
    pkiDir = await mkdtemp(join(tmpdir(), 'lichen-link-pki-'));
    pki = await makeTestPki(pkiDir, { clientNames: ['line-3-gw'] });
    secure = await broker({ tls: { caFile: pki.caFile, ...pki.server, useIdentityAsUsername: true } });
  });

  afterAll(async () => {
    await rm(pkiDir, { recursive: true, force: true });
  });

  /** Starts the link and waits for `attempts` failed attempts; it must never have connected. */
  async function refused(settings: Partial<MqttLinkSettings>, attempts = 3): Promise<LinkStatus> {
    const link = linkTo(secure.url, settings);
    const statuses = statusesOf(link);
    link.start();
    await waitFor(() => statuses.filter(({ state }) => state === 'disconnected').length >= attempts, {
      what: `${attempts} refused attempts`,
    });
    expect(statuses.map(({ state }) => state)).not.toContain('connected');
    return statuses.findLast(({ state }) => state === 'disconnected')!;
  }

  it('connects with a certificate from the CA the broker trusts, the thing name as its client id', async () => {
    const thing = pki.clients['line-3-gw']!;
    const link = linkTo(secure.url, { clientId: 'line-3-gw', tls: { caFile: pki.caFile, ...thing } });
    link.start();
    await waitFor(() => link.status.state === 'connected', { what: 'the link to connect over TLS' });
    await link.publish('factory/line-3/alerts', bytes('{}'), { messageId: 'tls-1' });
    // Mosquitto logs the client id and, with use_identity_as_username, the certificate's CN as the username.
    expect(await secure.log()).toMatch(/New client connected from 127\.0\.0\.1:\d+ as line-3-gw \(.*u'line-3-gw'\)/);
  });

  it('never connects with a certificate from another CA, and says the broker refused it for its CA', async () => {
    const failed = await refused({ clientId: 'line-3-gw-stranger', tls: { ...pki.stranger, caFile: pki.caFile } });
    expect(failed.lastError).toMatch(
      /^the broker refused the client certificate: it does not trust the CA that signed it \(.*tlsv1 alert unknown ca.*\)$/,
    );
    expect(await secure.log()).not.toContain('as line-3-gw-stranger');
  });

  it('never connects without a certificate, and says one is required and where to set it', async () => {
    const failed = await refused({ clientId: 'line-3-gw-anonymous', tls: { caFile: pki.caFile } });
    expect(failed.lastError).toMatch(
      /^the broker requires a client certificate: set LICHEN_CLOUD_CERT_FILE and LICHEN_CLOUD_KEY_FILE \(.*certificate required.*\)$/,
    );
  });

  it('never connects to a broker whose certificate LICHEN_CLOUD_CA_FILE did not sign, and says so', async () => {
    const thing = pki.clients['line-3-gw']!;
    const failed = await refused({ clientId: 'line-3-gw', tls: { ...thing, caFile: pki.stranger.caFile } });
    expect(failed.lastError).toMatch(
      /^the broker's certificate is not signed by LICHEN_CLOUD_CA_FILE \(self[- ]signed certificate in certificate chain\)$/,
    );
  });

  it('names the setting and the file it cannot read', async () => {
    const missing = join(pkiDir, 'no-such.crt');
    const failed = await refused(
      { tls: { caFile: pki.caFile, certFile: missing, keyFile: pki.clients['line-3-gw']!.keyFile } },
      2,
    );
    expect(failed.lastError).toBe(`cannot read LICHEN_CLOUD_CERT_FILE ${missing}: ENOENT`);
  });
});
