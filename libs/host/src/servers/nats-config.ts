/** One address a server listens on. */
export interface ListenAddress {
  host: string;
  port: number;
}

/**
 * Everything Lichen sets in the NATS server it runs. `npm start`, the compose file and the Helm chart all run
 * NATS from this one shape, so the device's bus is the same wherever it runs.
 */
export interface NatsServerSettings {
  /** Required by JetStream and by the MQTT listener; one per device. */
  serverName: string;
  client: ListenAddress;
  /** The HTTP monitoring endpoint (`/varz`, `/jsz`, `/healthz`) the health exporter reads. */
  monitor: ListenAddress;
  jetstream: {
    storeDir: string;
    /** Bytes of file storage JetStream may use; nats-server's default (most of the disk) when not given. */
    maxFileStoreBytes?: number;
  };
  /** Config files included at the end, such as the users and permissions file (router issue). */
  includes?: readonly string[];
  /** NATS's MQTT listener for client devices (router issue). */
  mqtt?: ListenAddress;
}

/** The nats-server configuration file for these settings, in its own syntax. */
export function natsServerConfig(settings: NatsServerSettings): string {
  const quote = (text: string) => JSON.stringify(text);
  const address = ({ host, port }: ListenAddress) => quote(`${host}:${port}`);
  const lines = [
    '# Written by Lichen from its NATS settings (libs/host/src/servers/nats-config.ts): edit those, not this file.',
    `server_name: ${quote(settings.serverName)}`,
    `listen: ${address(settings.client)}`,
    `http: ${address(settings.monitor)}`,
    'jetstream {',
    `  store_dir: ${quote(settings.jetstream.storeDir)}`,
  ];
  if (settings.jetstream.maxFileStoreBytes !== undefined) {
    lines.push(`  max_file_store: ${Math.floor(settings.jetstream.maxFileStoreBytes)}`);
  }
  lines.push('}');
  if (settings.mqtt) lines.push('mqtt {', `  listen: ${address(settings.mqtt)}`, '}');
  for (const file of settings.includes ?? []) lines.push(`include ${quote(file)}`);
  return `${lines.join('\n')}\n`;
}
