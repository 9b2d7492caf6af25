import { toJsonString } from '@bufbuild/protobuf';
import { Command } from 'commander';
import { BusError, type Bus } from '@lichen/bus';
import { RouteListSchema, subjects } from '@lichen/contracts';
import { formatRouteTable } from '../format/route-table.format.js';
import { busCommand, runOnBus, type CliDefaults } from './bus-command.js';
import { asText, type CliOutput } from './cli-output.js';

/** The router's routes with their counters, as a table or as the `RouteList` in JSON. */
export async function listRoutes(
  bus: Bus,
  output: CliOutput,
  options: { json: boolean; requestTimeoutMs: number },
): Promise<number> {
  let list;
  try {
    list = await bus.request(subjects.routes.list, {}, { timeoutMs: options.requestTimeoutMs });
  } catch (error) {
    // runOnBus's hint for nobody answering names the component manager; here it is the router.
    if (!(error instanceof BusError && error.code === 'BUS_NO_RESPONDERS')) throw error;
    output.err(`lichen routes: ${error.message} (is the router running? start Lichen with \`npm start\`)\n`);
    return 1;
  }
  output.out(options.json ? `${toJsonString(RouteListSchema, list)}\n` : asText(formatRouteTable(list)));
  return 0;
}

/** `lichen routes [--json]`: each route of the running deployment with what it matched, routed and dropped. */
export function routesCommand(defaults: CliDefaults): Command {
  return busCommand('routes', defaults)
    .description('list the routes the router runs, with their counters')
    .option('--json', 'print the route list as JSON (proto3 JSON mapping)')
    .action(async (flags: { nats: string; timeout: number; json?: boolean }) => {
      await runOnBus('routes', { nats: flags.nats, connectTimeoutMs: flags.timeout }, (bus, output) =>
        listRoutes(bus, output, { json: flags.json ?? false, requestTimeoutMs: flags.timeout }),
      );
    });
}
