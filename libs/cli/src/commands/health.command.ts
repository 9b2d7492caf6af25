import { toJsonString } from '@bufbuild/protobuf';
import { Command } from 'commander';
import { Bus, BusError } from '@lichen/bus';
import { HealthStatus, HeartbeatSchema, subjects, type Heartbeat } from '@lichen/contracts';
import { createLogger } from '@lichen/logging';
import { natsLoginFor } from '../cli-config.js';
import { formatHeartbeat } from '../format/heartbeat.format.js';
import { failAfter } from './bus-command.js';

interface HealthOptions {
  nats: string;
  timeout: number;
  device?: string;
  json?: boolean;
  watch?: boolean;
}

/** How long `lichen health` listens for every device on the bus to answer. */
const ROLL_CALL_MS = 1_000;

/**
 * `lichen health`: the heartbeat of every device that answers on the bus (one, on a lone device; every node's,
 * on a cluster), or of one device with `--device`.
 */
export function healthCommand(defaults: { natsUrl: string; requestTimeout: number }): Command {
  return new Command('health')
    .description('print device heartbeats: health verdict, host, NATS, Redis and components')
    .option('--nats <url>', 'NATS server of the device', defaults.natsUrl)
    .option('--device <id>', 'ask only this device (by default every device on the bus answers)')
    .option('--timeout <ms>', 'how long to wait for an answer', (value) => Number(value), defaults.requestTimeout)
    .option('--json', 'print each heartbeat as one line of JSON (proto3 JSON mapping)')
    .option('--watch', 'keep printing every heartbeat the devices publish')
    .action(async (options: HealthOptions, command: Command) => {
      const logger = createLogger({ service: 'lichen-cli', level: 'silent' });
      const bus = Bus.connect({ servers: options.nats, name: 'lichen-cli', logger, auth: natsLoginFor(options.nats) });
      const print = (heartbeat: Heartbeat) => {
        process.stdout.write(`${options.json ? toJsonString(HeartbeatSchema, heartbeat) : formatHeartbeat(heartbeat)}\n`);
      };
      try {
        await Promise.race([bus.ready, failAfter(options.timeout, `cannot reach NATS at ${options.nats}`)]);
        if (options.watch) {
          bus.subscribe(subjects.health.heartbeat, (heartbeat) => {
            if (!options.device || heartbeat.deviceId === options.device) print(heartbeat);
          });
          await new Promise(() => undefined);
        }
        const heartbeats = await ask(bus, options);
        heartbeats.forEach((heartbeat, index) => {
          if (index > 0 && !options.json) process.stdout.write('\n');
          print(heartbeat);
        });
        process.exitCode = heartbeats.every((heartbeat) => heartbeat.summary?.status === HealthStatus.OK) ? 0 : 2;
      } catch (error) {
        command.error(`lichen health: ${(error as Error).message}${hint(error)}`, { exitCode: 1 });
      } finally {
        await bus.close();
      }
    });
}

async function ask(bus: Bus, options: HealthOptions): Promise<Heartbeat[]> {
  if (options.device) {
    return [await bus.request(subjects.health.device, {}, { tokens: [options.device], timeoutMs: options.timeout })];
  }
  const replies = await bus.requestMany(subjects.health.get, {}, { maxWaitMs: Math.min(ROLL_CALL_MS, options.timeout) });
  const heartbeats = replies.flatMap((reply) => ('message' in reply ? [reply.message] : []));
  if (heartbeats.length === 0) {
    const failure = replies.find((reply) => 'error' in reply);
    if (failure && 'error' in failure) throw failure.error;
    throw new BusError('BUS_NO_RESPONDERS', 'unavailable', `no service answers ${subjects.health.get.pattern}`);
  }
  return heartbeats.sort((a, b) => a.deviceId.localeCompare(b.deviceId));
}

function hint(error: unknown): string {
  const message = (error as Error).message ?? '';
  if (message.startsWith('no service answers')) return ' (is the health exporter running? start Lichen with `npm start`)';
  if (message.startsWith('cannot reach NATS')) return ' (is Lichen running? start it with `npm start`, or pass --nats)';
  return '';
}
