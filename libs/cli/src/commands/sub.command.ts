import { Command } from 'commander';
import type { Bus } from '@lichen/bus';
import { formatMessageLine } from '../format/message-line.format.js';
import { formatSpan } from '../format/time.format.js';
import { failAfter, parseCount, parseDuration, runOnBus, type CliDefaults } from './bus-command.js';
import type { CliOutput } from './cli-output.js';
import { watchRefusals } from './server-refusals.js';
import { parseSubscribeSubject } from './subject-argument.js';

/** Node's longest timer; a longer one would fire at once. */
const LONGEST_TIMER_MS = 2 ** 31 - 1;

export interface SubscribeOptions {
  /** Stop after this many messages; fewer before the timeout is a failure. */
  count?: number;
  /** Stop listening after this long, counted from when the server has the subscription; forever when undefined. */
  timeoutMs?: number;
  /** The longest wait for the server to take the subscription. */
  subscribeTimeoutMs: number;
}

/**
 * Prints every message on the subject, one line each, until `count` have come or the timeout passes. Says
 * `listening on <subject>` on stderr only once the server has the subscription, so that a script can start
 * publishing when it reads that line.
 */
export async function printMessages(bus: Bus, output: CliOutput, subject: string, options: SubscribeOptions): Promise<number> {
  const { count } = options;
  let received = 0;
  let listening = true;
  let stop: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => {
    stop = () => {
      listening = false;
      resolve();
    };
  });
  const refusals = watchRefusals(bus);
  bus.subscribeRaw(subject, (data, meta) => {
    // Messages already on their way when it stops (at the count, or the timeout) come anyway: not printed.
    if (!listening) return;
    received++;
    output.out(`${formatMessageLine(meta.subject, data)}\n`);
    if (received === count) stop();
  });
  await Promise.race([
    refusals.flush(),
    failAfter(options.subscribeTimeoutMs, `the NATS server did not confirm the subscription to ${subject} in time`),
  ]);
  output.err(`listening on ${subject}\n`);
  const timer = options.timeoutMs === undefined ? undefined : setTimeout(stop, Math.min(options.timeoutMs, LONGEST_TIMER_MS));
  await stopped;
  clearTimeout(timer);
  if (count === undefined || received >= count) return 0;
  output.err(`lichen sub: ${received} of ${count} messages on ${subject} within ${span(options.timeoutMs ?? 0)}\n`);
  return 1;
}

function span(ms: number): string {
  return ms < 1_000 ? `${ms}ms` : formatSpan(ms);
}

/**
 * `lichen sub <subject> [--count N] [--timeout 10s]`. Not a `busCommand`: its `--timeout` is how long to
 * listen, with no default (until interrupted), and connecting is bounded by the usual request timeout.
 */
export function subCommand(defaults: CliDefaults): Command {
  return new Command('sub')
    .description('print the messages on a subject (wildcards allowed), one line each: subject, a space, the payload')
    .argument('<subject>', 'what to listen to: * matches one token, a last > the rest', parseSubscribeSubject)
    .option('--nats <url>', 'NATS server of the device', defaults.natsUrl)
    .option('--count <n>', 'stop after N messages; exit 1 if fewer come before the timeout', parseCount(1))
    .option('--timeout <duration>', 'stop listening after this long (default: until Ctrl-C)', parseDuration)
    .action(async (subject: string, flags: { nats: string; count?: number; timeout?: number }) => {
      stopWhenTheReaderGoes();
      await runOnBus('sub', { nats: flags.nats, connectTimeoutMs: defaults.requestTimeout }, (bus, output) =>
        printMessages(bus, output, subject, {
          count: flags.count,
          timeoutMs: flags.timeout,
          subscribeTimeoutMs: defaults.requestTimeout,
        }),
      );
    });
}

/**
 * `lichen sub x.> | head -3`: once the reader has closed the pipe there is no one left to print for, so the
 * command ends quietly, as `yes | head` does, instead of dying of an unhandled EPIPE.
 */
function stopWhenTheReaderGoes(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(0);
  });
}
