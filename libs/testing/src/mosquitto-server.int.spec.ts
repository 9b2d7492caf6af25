import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type IClientOptions, type IConnackPacket, type MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startMosquitto, type TestMosquitto } from './mosquitto-server.js';
import { makeTestPki, type CertAndKey, type TestPki } from './test-pki.js';
import { isListening, waitFor } from './wait-for.js';

const brokers: TestMosquitto[] = [];
const clients: MqttClient[] = [];

async function broker(options: Parameters<typeof startMosquitto>[0] = {}): Promise<TestMosquitto> {
  const started = await startMosquitto(options);
  brokers.push(started);
  return started;
}

/** Connects once, no retries: resolves on CONNACK, rejects with what the client saw (a TLS alert, a close). */
function connect(url: string, options: IClientOptions = {}): Promise<MqttClient> {
  return mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 5_000, ...options }, false).then((client) => {
    clients.push(client);
    return client;
  });
}

function nextMessage(client: MqttClient): Promise<{ topic: string; payload: string }> {
  return new Promise((resolve) => client.once('message', (topic, payload) => resolve({ topic, payload: payload.toString() })));
}

/**
 * The broker logs a refusal after it sent the TLS alert, so the client can know before the log says. The line is
 * `OpenSSL Error[0]: <reason>`, or `Client connection from <ip> failed: <reason>.` when the handshake failed
 * within the accept (a few in a hundred): only the reason is the same.
 */
async function logShows(mosquitto: TestMosquitto, line: string): Promise<void> {
  await waitFor(async () => (await mosquitto.log()).includes(line), {
    timeoutMs: 5_000,
    what: `"${line}" in ${mosquitto.logFile}`,
  });
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.endAsync(true)));
});

afterAll(async () => {
  await Promise.all(brokers.splice(0).map((started) => started.stop({ removeData: true })));
});

describe('startMosquitto', () => {
  it('starts a plain broker a client publishes to and receives from, and stops it', async () => {
    const mosquitto = await broker();
    expect(mosquitto.url).toBe(`mqtt://127.0.0.1:${mosquitto.port}`);
    expect(mosquitto.pid).toBeGreaterThan(0);

    const client = await connect(mosquitto.url);
    await client.subscribeAsync('lichen/test/+', { qos: 1 });
    const received = nextMessage(client);
    await client.publishAsync('lichen/test/plain', 'hello', { qos: 1 });
    expect(await received).toEqual({ topic: 'lichen/test/plain', payload: 'hello' });

    await mosquitto.stop({ removeData: true });
    expect(await isListening(mosquitto.port)).toBe(false);
    expect(mosquitto.pid).toBeUndefined();
  });

  describe('with TLS and client certificates required', () => {
    let pkiDir: string;
    let pki: TestPki;
    let mosquitto: TestMosquitto;
    const tlsOptions = async (client: CertAndKey | undefined, caFile: string): Promise<IClientOptions> => ({
      ca: await readFile(caFile),
      ...(client ? { cert: await readFile(client.certFile), key: await readFile(client.keyFile) } : {}),
    });

    beforeAll(async () => {
      pkiDir = await mkdtemp(join(tmpdir(), 'lichen-pki-'));
      pki = await makeTestPki(pkiDir, { clientNames: ['thing-1', 'thing-2'] });
      mosquitto = await broker({ tls: { caFile: pki.caFile, ...pki.server, useIdentityAsUsername: true } });
    });

    afterAll(async () => {
      await rm(pkiDir, { recursive: true, force: true });
    });

    it('accepts a client certificate from its CA, the certificate CN as the username', async () => {
      expect(mosquitto.url).toBe(`mqtts://127.0.0.1:${mosquitto.port}`);
      const client = await connect(mosquitto.url, {
        clientId: 'tls-ok',
        ...(await tlsOptions(pki.clients['thing-1'], pki.caFile)),
      });
      await client.publishAsync('lichen/test/tls', 'over tls', { qos: 1 });
      expect(await mosquitto.log()).toMatch(/New client connected from 127\.0\.0\.1:\d+ as tls-ok \(.*u'thing-1'\)/);
    });

    it("refuses a certificate from another CA (even one claiming a client's name), and logs why", async () => {
      const refused = connect(mosquitto.url, { clientId: 'tls-stranger', ...(await tlsOptions(pki.stranger, pki.caFile)) });
      await expect(refused).rejects.toMatchObject({
        code: 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA',
        message: expect.stringContaining('tlsv1 alert unknown ca'),
      });
      await logShows(mosquitto, 'error:0A000086:SSL routines::certificate verify failed');
      expect(await mosquitto.log()).not.toContain('as tls-stranger');
    });

    it('refuses a client without a certificate, and logs why', async () => {
      const refused = connect(mosquitto.url, { clientId: 'tls-anonymous', ...(await tlsOptions(undefined, pki.caFile)) });
      await expect(refused).rejects.toMatchObject({
        code: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
        message: expect.stringContaining('tlsv13 alert certificate required'),
      });
      await logShows(mosquitto, 'error:0A0000C7:SSL routines::peer did not return a certificate');
      expect(await mosquitto.log()).not.toContain('as tls-anonymous');
    });
  });

  it('with persistence, delivers a QoS 1 message queued for an offline session after a stop and a start on the same port', async () => {
    const mosquitto = await broker({ persistence: true });
    const session = { clientId: 'lichen-keeper', clean: false, reconnectPeriod: 0 } as const;

    const keeper = await connect(mosquitto.url, session);
    await keeper.subscribeAsync('lichen/test/queued', { qos: 1 });
    await keeper.endAsync();
    const publisher = await connect(mosquitto.url);
    await publisher.publishAsync('lichen/test/queued', 'sent while the keeper was away', { qos: 1 });
    await publisher.endAsync();

    const { url, pid: pidBefore } = mosquitto;
    await mosquitto.stop();
    expect(await isListening(mosquitto.port)).toBe(false);
    await mosquitto.start();
    expect(mosquitto.pid).toBeGreaterThan(0);
    expect(mosquitto.pid).not.toBe(pidBefore);

    // Back at the address it had before the stop. The queued message can come in the same read as the CONNACK:
    // listen before connecting.
    const back = mqtt.connect(url, session);
    clients.push(back);
    const received = nextMessage(back);
    const connack = await new Promise<IConnackPacket>((resolve, reject) => {
      back.once('connect', resolve);
      back.once('error', reject);
    });
    expect(connack.sessionPresent).toBe(true);
    expect(await received).toEqual({ topic: 'lichen/test/queued', payload: 'sent while the keeper was away' });
  });
});

describe('makeTestPki', () => {
  it('refuses a client name that is not a thing name, naming it', async () => {
    await expect(makeTestPki(tmpdir(), { clientNames: ['ok-1', 'CN=evil/O=x'] })).rejects.toThrow(
      'makeTestPki: client names must match /^[A-Za-z0-9:_-]{1,128}$/: "CN=evil/O=x"',
    );
  });
});
