import { toJson } from '@bufbuild/protobuf';
import { Command } from 'commander';
import type { Bus } from '@lichen/bus';
import { ComponentListSchema, DeploymentStatusSchema, subjects, type DeploymentStatus } from '@lichen/contracts';
import { formatComponentTable } from '../format/component-table.format.js';
import { renderDeployment } from '../format/deployment.format.js';
import { formatTime } from '../format/time.format.js';
import { busCommand, isNotFound, runOnBus, type CliDefaults } from './bus-command.js';
import { asText, type CliOutput } from './cli-output.js';

export interface StatusOptions {
  json: boolean;
  requestTimeoutMs: number;
  now?: Date;
}

/** The active deployment (or, when none is, the latest), with its components' progress, then every component. */
export async function showStatus(bus: Bus, output: CliOutput, options: StatusOptions): Promise<number> {
  const [deployment, list] = await Promise.all([
    bus.request(subjects.deploy.status, { id: '' }, { timeoutMs: options.requestTimeoutMs }).catch((error: unknown) => {
      if (isNotFound(error)) return undefined;
      throw error;
    }),
    bus.request(subjects.component.list, {}, { timeoutMs: options.requestTimeoutMs }),
  ]);
  if (options.json) {
    const document = {
      deployment: deployment ? toJson(DeploymentStatusSchema, deployment) : null,
      components: toJson(ComponentListSchema, list),
    };
    output.out(`${JSON.stringify(document)}\n`);
    return 0;
  }
  const lines = deployment ? deploymentBlock(deployment) : ['no deployment yet'];
  output.out(asText([...lines, '', ...formatComponentTable(list.components, options.now ?? new Date())]));
  return 0;
}

function deploymentBlock(status: DeploymentStatus): string[] {
  const [head = '', ...components] = renderDeployment(status);
  const times = (
    [
      ['queued', status.queuedAt],
      ['started', status.startedAt],
      ['finished', status.finishedAt],
    ] as const
  ).flatMap(([what, time]) => (time ? [`${what} ${formatTime(time)}`] : []));
  if (status.rolledBackTo) times.push(`rolled back to ${status.rolledBackTo}`);
  return times.length ? [head, `  ${times.join('   ')}`, ...components] : [head, ...components];
}

/** `lichen status`: what the device is deploying, or last deployed, and the state of its components. */
export function statusCommand(defaults: CliDefaults): Command {
  return busCommand('status', defaults)
    .description('show the active (or latest) deployment with its components, and every component on the device')
    .option('--json', 'print the deployment and the components as one JSON document')
    .action(async (flags: { nats: string; timeout: number; json?: boolean }) => {
      await runOnBus('status', { nats: flags.nats, connectTimeoutMs: flags.timeout }, (bus, output) =>
        showStatus(bus, output, { json: flags.json ?? false, requestTimeoutMs: flags.timeout }),
      );
    });
}
