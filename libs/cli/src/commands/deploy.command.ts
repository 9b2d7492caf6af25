import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import type { Bus } from '@lichen/bus';
import { subjects } from '@lichen/contracts';
import { busCommand, runOnBus, type CliDefaults } from './bus-command.js';
import type { CliOutput } from './cli-output.js';
import { startAndFollow, stopFollowingOnInterrupt, type FollowOptions } from './start-and-follow.js';

/** How long `lichen deploy` follows a deployment by default. */
export const DEFAULT_FOLLOW_MS = 15 * 60_000;

/**
 * Hands a deployment document (the text of a YAML or JSON file) to the device and follows it to the end. The
 * device parses and validates the document, so every problem, unknown fields included, comes back with its path.
 */
export function deploy(bus: Bus, output: CliOutput, document: string, options: FollowOptions): Promise<number> {
  return startAndFollow(
    bus,
    output,
    'deployment',
    () =>
      bus.request(
        subjects.deploy.apply,
        { source: { case: 'document', value: document } },
        { timeoutMs: options.requestTimeoutMs },
      ),
    options,
  );
}

interface DeployFlags {
  file: string;
  nats: string;
  timeout: number;
  wait: boolean;
  json?: boolean;
}

/** `lichen deploy -f line-3.yaml`: apply a deployment and show its progress per component. */
export function deployCommand(defaults: CliDefaults): Command {
  return busCommand('deploy', defaults, { default: DEFAULT_FOLLOW_MS, help: 'how long to follow the deployment' })
    .description('apply a deployment document (YAML or JSON) and follow it until it ends; exit 0 only if it succeeded')
    .requiredOption('-f, --file <file>', 'the deployment document, .yaml or .json')
    .option('--no-wait', 'print the deployment id and QUEUED, and return without following it')
    .option('--json', 'print each status as one line of JSON (proto3 JSON mapping)')
    .action(async (flags: DeployFlags, command: Command) => {
      let document: string;
      try {
        document = await readFile(flags.file, 'utf8');
      } catch (error) {
        command.error(`lichen deploy: cannot read ${flags.file}: ${(error as Error).message}`, { exitCode: 1 });
        return;
      }
      if (flags.wait) stopFollowingOnInterrupt();
      await runOnBus('deploy', { nats: flags.nats, connectTimeoutMs: defaults.requestTimeout }, (bus, output) =>
        deploy(bus, output, document, {
          wait: flags.wait,
          json: flags.json ?? false,
          timeoutMs: flags.timeout,
          requestTimeoutMs: defaults.requestTimeout,
        }),
      );
    });
}
