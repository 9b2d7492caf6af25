import { Command } from 'commander';
import type { Bus } from '@lichen/bus';
import { componentStateName, subjects } from '@lichen/contracts';
import { busCommand, runOnBus, type CliDefaults } from './bus-command.js';
import type { CliOutput } from './cli-output.js';

/** Asks the device to restart a component, and says the state it is in now. */
export async function restartComponent(
  bus: Bus,
  output: CliOutput,
  component: string,
  options: { requestTimeoutMs: number },
): Promise<number> {
  const status = await bus.request(subjects.component.restart, { name: component }, { timeoutMs: options.requestTimeoutMs });
  output.out(`restarting ${status.name}: ${componentStateName(status.state)}${status.reason ? `: ${status.reason}` : ''}\n`);
  return 0;
}

/** `lichen restart <component>`. */
export function restartCommand(defaults: CliDefaults): Command {
  // The device answers once the component has stopped (up to its shutdown timeout) and started again.
  return busCommand('restart', defaults, { default: 180_000, help: 'how long to wait for the restart (default 3m)' })
    .description('restart a component')
    .argument('<component>', 'the component')
    .action(async (component: string, flags: { nats: string; timeout: number }) => {
      await runOnBus('restart', { nats: flags.nats, connectTimeoutMs: defaults.requestTimeout }, (bus, output) =>
        restartComponent(bus, output, component, { requestTimeoutMs: flags.timeout }),
      );
    });
}
