import { duration, loadConfig, url } from '@lichen/config';

/** What the CLI reads from the environment; flags override it. */
export function loadCliConfig() {
  return loadConfig({
    natsUrl: url('nats', 'tls').default('nats://127.0.0.1:4222'),
    requestTimeout: duration().default(5_000),
  });
}
