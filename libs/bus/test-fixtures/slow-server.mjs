// A service that answers `lichen.health.slow.get` after `delayMs`, from the built @lichen/bus. On SIGTERM it
// closes its bus (the requests in flight are answered first) and exits 0. Prints "ready" once serving.
// Usage: node slow-server.mjs <nats-url> <delay-ms>
import { subjects } from '@lichen/contracts';
import { createLogger } from '@lichen/logging';
import { Bus } from '../dist/index.js';

const [url, delayMs] = process.argv.slice(2);
const logger = createLogger({ service: 'slow-server', level: 'warn', destination: process.stderr });
const bus = Bus.connect({ servers: url, name: 'slow-server', logger });
bus.serve(
  subjects.health.device,
  async () => {
    await new Promise((resolve) => setTimeout(resolve, Number(delayMs)));
    return { deviceId: 'slow' };
  },
  { tokens: ['slow'] },
);
process.once('SIGTERM', () => {
  bus.close().then(
    () => process.exit(0),
    (error) => {
      process.stderr.write(`close failed: ${error?.stack ?? error}\n`);
      process.exit(1);
    },
  );
});
await bus.ready;
await bus.connection.flush();
process.stdout.write('ready\n');
