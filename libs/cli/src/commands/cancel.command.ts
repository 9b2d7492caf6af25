import { Command } from 'commander';
import type { Bus } from '@lichen/bus';
import { subjects } from '@lichen/contracts';
import { phaseName } from '../format/deployment-phase.js';
import { deploymentLabel } from '../format/deployment.format.js';
import { busCommand, runOnBus, type CliDefaults } from './bus-command.js';
import type { CliOutput } from './cli-output.js';

/** Stops the active deployment (no id) or drops a queued one, and says the phase it is in now. */
export async function cancelDeployment(
  bus: Bus,
  output: CliOutput,
  id: string | undefined,
  options: { requestTimeoutMs: number },
): Promise<number> {
  const status = await bus.request(subjects.deploy.cancel, { id: id ?? '' }, { timeoutMs: options.requestTimeoutMs });
  output.out(`deployment ${deploymentLabel(status)} ${phaseName(status.phase)}${status.reason ? `: ${status.reason}` : ''}\n`);
  return 0;
}

/** `lichen cancel [id]`. */
export function cancelCommand(defaults: CliDefaults): Command {
  return busCommand('cancel', defaults)
    .description('cancel the active deployment, or a queued one by its id')
    .argument('[id]', 'the deployment (default: the active one)')
    .action(async (id: string | undefined, flags: { nats: string; timeout: number }) => {
      await runOnBus('cancel', { nats: flags.nats, connectTimeoutMs: flags.timeout }, (bus, output) =>
        cancelDeployment(bus, output, id, { requestTimeoutMs: flags.timeout }),
      );
    });
}
