import { Command } from 'commander';
import type { Bus } from '@lichen/bus';
import { subjects } from '@lichen/contracts';
import { busCommand, parseCount, runOnBus, type CliDefaults } from './bus-command.js';
import type { CliOutput } from './cli-output.js';

/** A followed component may say nothing for hours: then the stream waits as long as Node's longest timer. */
const FOLLOW_IDLE_MS = 2 ** 31 - 1;

export interface LogsOptions {
  /** Lines from the end to start with; the device's default (100) when undefined. */
  tail?: number;
  follow: boolean;
  /** Without `follow`, the longest wait for the next line. */
  idleTimeoutMs: number;
}

/** A component's output: its stdout lines to `out`, its stderr lines to `err`, until the stream ends. */
export async function streamLogs(bus: Bus, output: CliOutput, component: string, options: LogsOptions): Promise<number> {
  const lines = bus.requestStream(
    subjects.component.logs,
    { name: component, tail: options.tail ?? 0, follow: options.follow },
    { idleTimeoutMs: options.follow ? FOLLOW_IDLE_MS : options.idleTimeoutMs },
  );
  for await (const line of lines) {
    if (line.stream === 'stderr') output.err(`${line.line}\n`);
    else output.out(`${line.line}\n`);
  }
  return 0;
}

/** `lichen logs <component> [-f] [--tail N]`. */
export function logsCommand(defaults: CliDefaults): Command {
  return busCommand('logs', defaults)
    .description("print a component's output (its stderr lines on stderr)")
    .argument('<component>', 'the component')
    .option('-f, --follow', 'keep printing new lines until interrupted')
    .option('--tail <lines>', 'start with the last N lines (default 100)', parseCount(1))
    .action(async (component: string, flags: { nats: string; timeout: number; follow?: boolean; tail?: number }) => {
      await runOnBus('logs', { nats: flags.nats, connectTimeoutMs: flags.timeout }, (bus, output) =>
        streamLogs(bus, output, component, { tail: flags.tail, follow: flags.follow ?? false, idleTimeoutMs: flags.timeout }),
      );
    });
}
