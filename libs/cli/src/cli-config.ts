import { duration, findEndpoints, loadConfig, url } from '@lichen/config';

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
