import { toJsonString } from '@bufbuild/protobuf';
import { Command } from 'commander';
import type { Bus } from '@lichen/bus';
import { ComponentListSchema, subjects } from '@lichen/contracts';
import { formatComponentTable } from '../format/component-table.format.js';
import { busCommand, runOnBus, type CliDefaults } from './bus-command.js';
import { asText, type CliOutput } from './cli-output.js';

/** Every component on the device, as a table or as the `ComponentList` in JSON. */
export async function listComponents(
  bus: Bus,
  output: CliOutput,
  options: { json: boolean; requestTimeoutMs: number; now?: Date },
): Promise<number> {
  const list = await bus.request(subjects.component.list, {}, { timeoutMs: options.requestTimeoutMs });
  output.out(
    options.json
      ? `${toJsonString(ComponentListSchema, list)}\n`
      : asText(formatComponentTable(list.components, options.now ?? new Date())),
  );
  return 0;
}

/** `lichen components`: name, runtime, version, state, restarts, time in that state and reason of each component. */
export function componentsCommand(defaults: CliDefaults): Command {
  return busCommand('components', defaults)
    .description('list the components on the device with their state')
    .option('--json', 'print the component list as JSON (proto3 JSON mapping)')
    .action(async (flags: { nats: string; timeout: number; json?: boolean }) => {
      await runOnBus('components', { nats: flags.nats, connectTimeoutMs: flags.timeout }, (bus, output) =>
        listComponents(bus, output, { json: flags.json ?? false, requestTimeoutMs: flags.timeout }),
      );
    });
}
