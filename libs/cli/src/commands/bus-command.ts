import { Command, InvalidArgumentError } from 'commander';
import { Bus, BusError } from '@lichen/bus';
import { duration } from '@lichen/config';
import { createLogger } from '@lichen/logging';
import { natsLoginFor } from '../cli-config.js';
import { asText, processOutput, type CliOutput } from './cli-output.js';
import { formatRejection } from '../format/violations.format.js';

/** What every command that talks to the device takes from the CLI's config. */
export interface CliDefaults {
  natsUrl: string;
  requestTimeout: number;
}

/** `--timeout 15m`, `30s`, `500ms`, or a bare number of milliseconds as `lichen health` takes it. */
export function parseDuration(value: string): number {
  const parsed = duration().safeParse(value);
  if (!parsed.success || parsed.data <= 0) throw new InvalidArgumentError('expected a duration like 500ms, 30s, 5m or 1h');
  return parsed.data;
}

/** A whole number of at least `min`, for `--tail` and `--limit`. */
export function parseCount(min: number): (value: string) => number {
  return (value) => {
    const count = Number(value);
    if (!Number.isInteger(count) || count < min) throw new InvalidArgumentError(`expected a whole number of at least ${min}`);
    return count;
  };
}

/** A subcommand with the options every bus command has: `--nats` and `--timeout` (how long to wait for a reply). */
export function busCommand(name: string, defaults: CliDefaults, timeout?: { default: number; help: string }): Command {
  return new Command(name)
    .option('--nats <url>', 'NATS server of the device', defaults.natsUrl)
    .option(
      '--timeout <duration>',
      timeout?.help ?? 'how long to wait for an answer (500ms, 30s, 5m)',
      parseDuration,
      timeout?.default ?? defaults.requestTimeout,
    );
}

/**
 * Connects to the device's bus (logged in as `natsLoginFor` says), runs the command's core, and turns what it
 * returns into the exit code. An error is said once, on stderr, as `lichen <command>: <message>` with a hint of
 * what to check; a request the device rejected lists every problem. The connection is closed in every case.
 */
export async function runOnBus(
  name: string,
  settings: { nats: string; connectTimeoutMs: number },
  core: (bus: Bus, output: CliOutput) => Promise<number>,
): Promise<void> {
  const output = processOutput();
  let bus: Bus | undefined;
  try {
    bus = Bus.connect({
      servers: settings.nats,
      name: 'lichen-cli',
      logger: createLogger({ service: 'lichen-cli', level: 'silent' }),
      auth: natsLoginFor(settings.nats),
    });
    await Promise.race([bus.ready, failAfter(settings.connectTimeoutMs, `cannot reach NATS at ${settings.nats}`)]);
    process.exitCode = await core(bus, output);
  } catch (error) {
    output.err(asText(describeFailure(name, error)));
    process.exitCode = 1;
  } finally {
    await bus?.close();
  }
}

/** An error as the operator reads it, with a hint when the cause is a service or server not running. */
export function describeFailure(name: string, error: unknown): string[] {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof BusError && error.violations.length > 0)
    return formatRejection(`lichen ${name}`, message, error.violations);
  return [`lichen ${name}: ${message}${hint(error, message)}`];
}

function hint(error: unknown, message: string): string {
  if (error instanceof BusError && error.code === 'BUS_NO_RESPONDERS') {
    return ' (is the component manager running? start Lichen with `npm start`)';
  }
  if (message.startsWith('cannot reach NATS')) return ' (is Lichen running? start it with `npm start`, or pass --nats)';
  return '';
}

/** Rejects with `message` after `ms`: the bound on connecting, for every command. */
export function failAfter(ms: number, message: string): Promise<never> {
  return new Promise((_, reject) => setTimeout(() => reject(new Error(message)), ms).unref());
}

/** True for an error reply that says the request itself was wrong: the operator's move, not the device's. */
export function isRejection(error: unknown): error is BusError {
  return error instanceof BusError && error.code === 'BUS_ERROR_REPLY' && error.kind === 'invalid-argument';
}

/** True for an error reply that says the thing asked about does not exist. */
export function isNotFound(error: unknown): error is BusError {
  return error instanceof BusError && error.code === 'BUS_ERROR_REPLY' && error.kind === 'not-found';
}
