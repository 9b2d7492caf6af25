// Shows when the JetStream client is loaded: not for core bus work, only once `bus.jetstream` is used.
// Prints {"transport":true,"before":false,"after":true} as one JSON line. Usage: node jetstream-lazy.mjs <nats-url>
import { createRequire } from 'node:module';
import { subjects } from '@lichen/contracts';
import { createLogger } from '@lichen/logging';
import { Bus } from '../dist/index.js';

const require = createRequire(import.meta.url);
const loaded = (name) => Object.keys(require.cache).some((path) => path.includes(`/node_modules/@nats-io/${name}/`));

const bus = Bus.connect({ servers: process.argv[2], name: 'lazy', logger: createLogger({ service: 'lazy', level: 'warn' }) });
await bus.ready;
bus.serve(subjects.health.get, () => ({ deviceId: 'lazy' }));
await bus.connection.flush();
await bus.request(subjects.health.get, {});
const before = loaded('jetstream');
await bus.jetstream.ensureStream({ name: 'LAZY', subjects: ['lazy.>'] });
const after = loaded('jetstream');
await bus.close();
process.stdout.write(`${JSON.stringify({ transport: loaded('transport-node'), before, after })}\n`);
