import type { BusConnectionOptions } from '@lichen/bus';
import type { HostConfig } from './host-config.js';

/** How the process logs in to an external NATS, from the host's variables (validated as a set beforehand). */
export function natsCredentials(config: HostConfig): Pick<BusConnectionOptions, 'auth' | 'tls'> {
  const auth: BusConnectionOptions['auth'] =
    config.natsUser && config.natsPassword
      ? { user: config.natsUser, pass: config.natsPassword }
      : config.natsToken
        ? { token: config.natsToken }
        : config.natsNkeySeed
          ? { nkeySeed: config.natsNkeySeed }
          : undefined;
  const tls =
    config.natsCaFile || config.natsCertFile
      ? { caFile: config.natsCaFile, certFile: config.natsCertFile, keyFile: config.natsKeyFile }
      : undefined;
  return { auth, tls };
}
