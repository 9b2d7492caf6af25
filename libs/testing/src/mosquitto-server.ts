import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { requireCommand } from './required-command.js';
import { startServerProcess, type ServerProcess } from './server-process.js';

export interface MosquittoTlsOptions {
  /** The CA the broker trusts for client certificates. */
  caFile: string;
  certFile: string;
  keyFile: string;
  /** Refuses a client without a certificate signed by `caFile` (mosquitto's `require_certificate`); true unless told. */
  requireCertificate?: boolean;
  /** The client certificate's CN becomes the MQTT username, as AWS IoT's thing name does. */
  useIdentityAsUsername?: boolean;
}

export interface MosquittoOptions {
  /** A free one when not given. */
  port?: number;
  /** The listener then speaks TLS only (`mqtts://`). */
  tls?: MosquittoTlsOptions;
  /**
   * Keeps persistent sessions, their subscriptions and queued QoS 1/2 messages across a restart. Saved on a clean
   * stop and every second (`autosave_interval 1`), so a `kill()` loses at most the last second.
   */
  persistence?: boolean;
  /**
   * QoS 1/2 messages held per client that is offline (or online, past those in flight); beyond it mosquitto drops
   * new ones for that client and still acknowledges them to their publisher. 0 (no limit) unless told; mosquitto's
   * own default is 1000.
   */
  maxQueuedMessages?: number;
  /** True unless told; with `tls.useIdentityAsUsername` every client has a username anyway. */
  allowAnonymous?: boolean;
  /** Lines appended to the generated config, e.g. a bridge's `connection` section. */
  extraConfig?: string[];
}

export interface TestMosquitto extends ServerProcess {
  /** `mqtt://127.0.0.1:<port>`, or `mqtts://` with `tls`. */
  readonly url: string;
  readonly host: string;
  /** The broker's folder: its config, log, pid file and persistence file. */
  readonly dir: string;
  readonly logFile: string;
  /** The broker's process id while it runs, from its pid file. */
  readonly pid: number | undefined;
  /**
   * The broker's log so far: connections (with the username), refusals and OpenSSL's reason
   * (`OpenSSL Error[0]: <reason>` or `Client connection from <ip> failed: <reason>.`), disconnections.
   */
  log(): Promise<string>;
  /** Starts it again after `stop()`, on the same port with the same data. */
  start(): Promise<void>;
}

const HOST = '127.0.0.1';

/**
 * Starts a throwaway Mosquitto 2.0 (`mosquitto -c <generated config>`) on its own port and folder, for tests
 * that need a broker of their own: TLS with client certificates, persistence across restarts, a bridge.
 * It is ready once its port accepts TCP; on a TLS listener that probe leaves one `unexpected eof` line in the log.
 */
export async function startMosquitto(options: MosquittoOptions = {}): Promise<TestMosquitto> {
  const command = process.env.MOSQUITTO_BIN ?? requireCommand('mosquitto', 'mosquitto');
  const port = options.port ?? (await freePort());
  const dir = await mkdtemp(join(tmpdir(), 'lichen-mosquitto-'));
  const file = (name: string) => join(dir, name);
  // Written before every start, so a start after `stop({ removeData: true })` still finds its config.
  const writeConfig = async () => {
    await mkdir(dir, { recursive: true });
    await writeFile(file('mosquitto.conf'), `${mosquittoConfig(dir, port, options).join('\n')}\n`);
  };
  const server = await startServerProcess({
    name: 'mosquitto',
    command,
    port,
    dataDir: dir,
    args: () => ['-c', file('mosquitto.conf')],
    beforeStart: writeConfig,
  });
  return {
    url: `${options.tls ? 'mqtts' : 'mqtt'}://${HOST}:${port}`,
    host: HOST,
    port,
    dir,
    dataDir: dir,
    logFile: file('mosquitto.log'),
    get pid() {
      try {
        return Number(readFileSync(file('mosquitto.pid'), 'utf8').trim()) || undefined;
      } catch {
        return undefined;
      }
    },
    log: () => readFile(file('mosquitto.log'), 'utf8').catch(() => ''),
    stop: (stopOptions) => server.stop(stopOptions),
    async kill() {
      await server.kill();
      // A stopped broker removes its pid file, a killed one leaves it behind.
      await rm(file('mosquitto.pid'), { force: true });
    },
    restart: () => server.restart(),
    async start() {
      await writeConfig();
      await server.restart();
    },
  };
}

/** The config lines: one listener on 127.0.0.1, a log file with connections, the options asked for. */
function mosquittoConfig(dir: string, port: number, options: MosquittoOptions): string[] {
  const { tls } = options;
  return [
    // Mosquitto started as root drops to the `mosquitto` user, who cannot read a test's 0700 temp folder.
    `user ${userInfo().username}`,
    `pid_file ${join(dir, 'mosquitto.pid')}`,
    `log_dest file ${join(dir, 'mosquitto.log')}`,
    ...['error', 'warning', 'notice', 'information'].map((type) => `log_type ${type}`),
    'connection_messages true',
    'log_timestamp_format %Y-%m-%dT%H:%M:%S',
    `max_queued_messages ${options.maxQueuedMessages ?? 0}`,
    ...(options.persistence
      ? ['persistence true', `persistence_location ${dir}/`, 'autosave_interval 1']
      : ['persistence false']),
    `allow_anonymous ${options.allowAnonymous ?? true}`,
    `listener ${port} ${HOST}`,
    ...(tls
      ? [
          `cafile ${tls.caFile}`,
          `certfile ${tls.certFile}`,
          `keyfile ${tls.keyFile}`,
          `require_certificate ${tls.requireCertificate ?? true}`,
          `use_identity_as_username ${tls.useIdentityAsUsername ?? false}`,
        ]
      : []),
    ...(options.extraConfig ?? []),
  ];
}
