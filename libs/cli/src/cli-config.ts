import type { BusAuth } from '@lichen/bus';
import { duration, findEndpoints, findLichen, loadConfig, readOperatorCredentials, secret, url, z } from '@lichen/config';

/**
 * What the CLI reads from the environment; flags override it. With no LICHEN_NATS_URL it talks to the Lichen
 * that `lichen run` recorded in the nearest `.lichen/endpoints.json`, then to NATS's standard port.
 */
export function loadCliConfig() {
  const running = findEndpoints();
  return loadConfig({
    natsUrl: url('nats', 'tls').default(running?.nats ?? 'nats://127.0.0.1:4222'),
    requestTimeout: duration().default(5_000),
  });
}

/**
 * How the CLI logs in to the NATS at `server`: as LICHEN_NATS_USER with LICHEN_NATS_PASSWORD when both are set;
 * otherwise, when `server` is the NATS of the Lichen this shell means (see `findLichen`), as the operator, with
 * the credentials that Lichen keeps in its data folder; otherwise (and when the URL carries credentials of its
 * own) with nothing. The operator's password is never sent to another server.
 */
export function natsLoginFor(server: string): BusAuth | undefined {
  const login = loadConfig({ natsUser: z.string().min(1).optional(), natsPassword: secret().optional() });
  if (login.natsUser && login.natsPassword) return { user: login.natsUser, pass: login.natsPassword };
  const address = addressOf(server);
  const found = findLichen();
  if (!address || address.credentials || !found || addressOf(found.endpoints.nats)?.host !== address.host) return undefined;
  // Left behind by a Lichen that died: another program may listen there now.
  if (!isRunning(found.endpoints.pid)) return undefined;
  const operator = readOperatorCredentials(found.dataDir);
  return operator && { user: operator.user, pass: operator.password };
}

function addressOf(server: string): { host: string; credentials: boolean } | undefined {
  try {
    const parsed = new URL(server);
    return { host: parsed.host, credentials: Boolean(parsed.username) };
  } catch {
    return undefined;
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
