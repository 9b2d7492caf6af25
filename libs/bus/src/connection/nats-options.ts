import { nkeyAuthenticator, type NodeConnectionOptions } from '@nats-io/transport-node';
import type { Secret } from '@lichen/config';
import { credentialsInServers, redactServers } from './server-urls.js';

/** How the connection logs in: a user and password, a token, or an nkey (its seed). */
export type BusAuth = { user: string; pass: Secret } | { token: Secret } | { nkeySeed: Secret };

/** TLS to the server: the CA to trust (else the system's) and, for mutual TLS, the client certificate and key. */
export interface BusTls {
  caFile?: string;
  certFile?: string;
  keyFile?: string;
}

export interface ClientSettings {
  servers: string | string[];
  name: string;
  auth?: BusAuth;
  tls?: BusTls;
}

/**
 * The NATS client's options. Credentials in a server URL are taken out of it (the client would not read them)
 * and used when no `auth` is given; secrets are revealed here and nowhere else.
 */
export function natsOptions(settings: ClientSettings): NodeConnectionOptions {
  const options: NodeConnectionOptions = {
    servers: redactServers(settings.servers),
    name: settings.name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 1_000,
    // The client captures a stack for every request in case it fails (about 8% of a request's CPU, measured):
    // the bus reports a failure as a BusError naming the subject, and V8's async stacks keep the caller.
    noAsyncTraces: true,
  };
  const auth = settings.auth;
  if (auth && 'nkeySeed' in auth) options.authenticator = nkeyAuthenticator(new TextEncoder().encode(auth.nkeySeed.reveal()));
  else if (auth && 'token' in auth) options.token = auth.token.reveal();
  else if (auth) Object.assign(options, { user: auth.user, pass: auth.pass.reveal() });
  else Object.assign(options, credentialsInServers(settings.servers));
  if (settings.tls) options.tls = { ...settings.tls };
  return options;
}
