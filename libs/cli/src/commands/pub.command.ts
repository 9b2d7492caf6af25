import { Command } from 'commander';
import type { Bus } from '@lichen/bus';
import { busCommand, failAfter, runOnBus, type CliDefaults } from './bus-command.js';
import type { CliOutput } from './cli-output.js';
import { collectHeader, headerSet, type HeaderArgument } from './header-option.js';
import { readPayload } from './payload-argument.js';
import { watchRefusals } from './server-refusals.js';
import { parsePublishSubject } from './subject-argument.js';

export interface PublishOptions {
  headers: readonly HeaderArgument[];
  verbose: boolean;
  /** The longest wait for the server to confirm it has the message. */
  flushTimeoutMs: number;
}

/**
 * Publishes the bytes as they are and returns once the server has them: the flush fails when the server
 * refused the message, and closing the bus afterwards cannot lose it.
 */
export async function publishMessage(
  bus: Bus,
  output: CliOutput,
  subject: string,
  payload: Uint8Array,
  options: PublishOptions,
): Promise<number> {
  const refusals = watchRefusals(bus);
  const largest = bus.connection?.info?.max_payload;
  if (largest !== undefined && payload.byteLength > largest) {
    throw new Error(`the payload is ${payload.byteLength} bytes, more than the NATS server takes (max_payload ${largest})`);
  }
  bus.publishRaw(subject, payload, { headers: headerSet(options.headers) });
  await Promise.race([
    refusals.flush(),
    failAfter(options.flushTimeoutMs, `the NATS server did not confirm the message on ${subject} in time`),
  ]);
  if (options.verbose) output.out(`published ${payload.byteLength} byte${payload.byteLength === 1 ? '' : 's'} on ${subject}\n`);
  return 0;
}

/** `lichen pub <subject> <payload>`: one message on the bus, for an operator trying a route or a subscriber. */
export function pubCommand(defaults: CliDefaults): Command {
  return busCommand('pub', defaults, {
    default: defaults.requestTimeout,
    help: 'how long to wait for NATS to take the message (500ms, 30s)',
  })
    .description("publish one message: UTF-8 text, @file for a file's bytes, or - for stdin")
    .argument('<subject>', 'where to publish (no wildcards)', parsePublishSubject)
    .argument('<payload>', 'the text to send, @path to send a file, - to send stdin')
    .option('-H, --header <name=value>', 'add a header (repeat for more)', collectHeader)
    .option('-v, --verbose', 'say what was published')
    .action(
      async (
        subject: string,
        payload: string,
        flags: { nats: string; timeout: number; header?: HeaderArgument[]; verbose?: boolean },
      ) => {
        await runOnBus('pub', { nats: flags.nats, connectTimeoutMs: flags.timeout }, async (bus, output) =>
          publishMessage(bus, output, subject, await readPayload(payload), {
            headers: flags.header ?? [],
            verbose: flags.verbose ?? false,
            flushTimeoutMs: flags.timeout,
          }),
        );
      },
    );
}
