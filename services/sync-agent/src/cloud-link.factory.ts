import type { HostSettings } from '@lichen/host';
import type { SyncAgentConfig } from './config.js';
import { MqttLink } from './adapters/mqtt.link.js';
import type { CloudLink } from './domain/link/cloud-link.js';
import { DisabledLink } from './domain/link/disabled-link.js';

/** The link and what the agent says of it; `start`/`stop` do nothing for a device without a cloud. */
export interface StartableLink {
  readonly link: CloudLink;
  readonly clientId: string;
  /** The broker's URL without credentials; empty when none is configured. */
  readonly endpoint: string;
  start(): void;
  stop(): Promise<void>;
}

/** The MQTT link to `LICHEN_CLOUD_URL`, or a disabled one when it is not set. */
export function cloudLinkFor(config: SyncAgentConfig, host: HostSettings): StartableLink {
  const clientId = config.cloudThingName ?? host.deviceId;
  if (!config.cloudUrl) {
    return { link: new DisabledLink(), clientId, endpoint: '', start: () => undefined, stop: async () => undefined };
  }
  const url = new URL(config.cloudUrl);
  url.username = '';
  url.password = '';
  const mqtt = new MqttLink({
    url: config.cloudUrl,
    clientId,
    protocolVersion: config.cloudProtocol === '5' ? 5 : 4,
    keepaliveMs: config.cloudKeepalive,
    sessionExpiryMs: config.cloudSessionExpiry,
    reconnect: { minMs: config.cloudReconnectMin, maxMs: config.cloudReconnectMax },
    tls: { caFile: config.cloudCaFile, certFile: config.cloudCertFile, keyFile: config.cloudKeyFile },
    username: config.cloudUsername ?? (decodeURIComponent(new URL(config.cloudUrl).username) || undefined),
    password: config.cloudPassword?.reveal() ?? (decodeURIComponent(new URL(config.cloudUrl).password) || undefined),
  });
  return { link: mqtt, clientId, endpoint: url.toString(), start: () => mqtt.start(), stop: () => mqtt.stop() };
}
