import { Command } from 'commander';
import type { Bus } from '@lichen/bus';
import { subjects } from '@lichen/contracts';
import { busCommand, runOnBus, type CliDefaults } from './bus-command.js';
import type { CliOutput } from './cli-output.js';
import { DEFAULT_FOLLOW_MS } from './deploy.command.js';
import { startAndFollow, stopFollowingOnInterrupt, type FollowOptions } from './start-and-follow.js';

/**
 * Queues a deployment that puts back the last one that succeeded before the current one, and follows it like
 * `deploy` does.
 */
export function rollback(bus: Bus, output: CliOutput, options: FollowOptions): Promise<number> {
  return startAndFollow(
    bus,
    output,
    'rollback',
    () => bus.request(subjects.deploy.rollback, {}, { timeoutMs: options.requestTimeoutMs }),
    options,
  );
}

interface RollbackFlags {
  nats: string;
  timeout: number;
  wait: boolean;
  json?: boolean;
}

/** `lichen rollback`: back to the deployment that succeeded before the current one. */
export function rollbackCommand(defaults: CliDefaults): Command {
  return busCommand('rollback', defaults, { default: DEFAULT_FOLLOW_MS, help: 'how long to follow the rollback' })
    .description('put the device back to the deployment that succeeded before the current one, and follow it')
    .option('--no-wait', 'print the new deployment id and QUEUED, and return without following it')
    .option('--json', 'print each status as one line of JSON (proto3 JSON mapping)')
    .action(async (flags: RollbackFlags) => {
      if (flags.wait) stopFollowingOnInterrupt();
      await runOnBus('rollback', { nats: flags.nats, connectTimeoutMs: defaults.requestTimeout }, (bus, output) =>
        rollback(bus, output, {
          wait: flags.wait,
          json: flags.json ?? false,
          timeoutMs: flags.timeout,
          requestTimeoutMs: defaults.requestTimeout,
        }),
      );
    });
}
