import { toJsonString } from '@bufbuild/protobuf';
import { Command } from 'commander';
import type { Bus } from '@lichen/bus';
import { DeploymentListSchema, subjects } from '@lichen/contracts';
import { formatDeploymentHistory } from '../format/deployment-history.format.js';
import { busCommand, parseCount, runOnBus, type CliDefaults } from './bus-command.js';
import { asText, type CliOutput } from './cli-output.js';

/** The deployment history, newest first: the active and queued ones, then the finished ones. */
export async function listDeployments(
  bus: Bus,
  output: CliOutput,
  options: { limit?: number; json: boolean; requestTimeoutMs: number },
): Promise<number> {
  const list = await bus.request(subjects.deploy.list, { limit: options.limit ?? 0 }, { timeoutMs: options.requestTimeoutMs });
  output.out(options.json ? `${toJsonString(DeploymentListSchema, list)}\n` : asText(formatDeploymentHistory(list.deployments)));
  return 0;
}

/** `lichen deployments [--limit N] [--json]`. */
export function deploymentsCommand(defaults: CliDefaults): Command {
  return busCommand('deployments', defaults)
    .description('list the deployments of the device, newest first')
    .option('--limit <n>', 'at most this many (default 20)', parseCount(1))
    .option('--json', 'print the list as JSON (proto3 JSON mapping)')
    .action(async (flags: { nats: string; timeout: number; limit?: number; json?: boolean }) => {
      await runOnBus('deployments', { nats: flags.nats, connectTimeoutMs: flags.timeout }, (bus, output) =>
        listDeployments(bus, output, { limit: flags.limit, json: flags.json ?? false, requestTimeoutMs: flags.timeout }),
      );
    });
}
