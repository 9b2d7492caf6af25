import { toJsonString } from '@bufbuild/protobuf';
import { Command } from 'commander';
import { Bus } from '@lichen/bus';
import { HealthStatus, HeartbeatSchema, subjects, type Heartbeat } from '@lichen/contracts';
import { createLogger } from '@lichen/logging';
import { formatHeartbeat } from '../format/heartbeat.format.js';

interface HealthOptions {
  nats: string;
  timeout: number;
  json?: boolean;
  watch?: boolean;
}

/** `lichen health`: the device heartbeat, asked of the health exporter over the bus. */
export function healthCommand(defaults: { natsUrl: string; requestTimeout: number }): Command {
  return new Command('health')
    .description('print the device heartbeat: health verdict, host, NATS, Redis and components')
    .option('--nats <url>', 'NATS server of the device', defaults.natsUrl)
    .option('--timeout <ms>', 'how long to wait for an answer', (value) => Number(value), defaults.requestTimeout)
    .option('--json', 'print the heartbeat as JSON (proto3 JSON mapping)')
    .option('--watch', 'keep printing every heartbeat the device publishes')
    .action(async (options: HealthOptions, command: Command) => {
      const logger = createLogger({ service: 'lichen-cli', level: 'silent' });
      const bus = Bus.connect({ servers: options.nats, name: 'lichen-cli', logger });
      const print = (heartbeat: Heartbeat) => {
        process.stdout.write(`${options.json ? toJsonString(HeartbeatSchema, heartbeat) : formatHeartbeat(heartbeat)}\n`);
      };
      try {
        await Promise.race([bus.ready, timeout(options.timeout, `cannot reach NATS at ${options.nats}`)]);
        if (options.watch) {
          bus.subscribe(subjects.health.heartbeat, print);
          await new Promise(() => undefined);
        }
        const heartbeat = await bus.request(subjects.health.get, {}, { timeoutMs: options.timeout });
        print(heartbeat);
        process.exitCode = heartbeat.summary?.status === HealthStatus.OK ? 0 : 2;
      } catch (error) {
        command.error(`lichen health: ${(error as Error).message}${hint(error)}`, { exitCode: 1 });
      } finally {
        await bus.close();
      }
    });
}

function timeout(ms: number, message: string): Promise<never> {
  return new Promise((_, reject) => setTimeout(() => reject(new Error(message)), ms).unref());
}

function hint(error: unknown): string {
  const message = (error as Error).message ?? '';
  if (message.startsWith('no service answers')) return ' (is the health exporter running? start Lichen with `npm start`)';
  if (message.startsWith('cannot reach NATS')) return ' (is Lichen running? start it with `npm start`, or pass --nats)';
  return '';
}
