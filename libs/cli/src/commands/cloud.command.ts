import type { Command } from 'commander';
import { toJsonString } from '@bufbuild/protobuf';
import { BusError, type Bus } from '@lichen/bus';
import { CloudStatusSchema, subjects } from '@lichen/contracts';
import { formatCloudStatus } from '../format/cloud-status.format.js';
import { busCommand, runOnBus, type CliDefaults } from './bus-command.js';
import { asText, type CliOutput } from './cli-output.js';

/** The sync agent's link and spool, as lines or as the `CloudStatus` in JSON. */
export async function showCloud(
  bus: Bus,
  output: CliOutput,
  options: { json: boolean; requestTimeoutMs: number },
): Promise<number> {
  let status;
  try {
    status = await bus.request(subjects.cloud.status, {}, { timeoutMs: options.requestTimeoutMs });
  } catch (error) {
    if (!(error instanceof BusError && error.code === 'BUS_NO_RESPONDERS')) throw error;
    output.err(`lichen cloud: ${error.message} (is the sync agent running? start Lichen with \`npm start\`)\n`);
    return 1;
  }
  output.out(options.json ? `${toJsonString(CloudStatusSchema, status)}\n` : asText(formatCloudStatus(status, new Date())));
  return 0;
}

/** `lichen cloud [--json]`: is the device linked to its cloud, what waits in the spool, what went wrong last. */
export function cloudCommand(defaults: CliDefaults): Command {
  return busCommand('cloud', defaults)
    .description("show the cloud link's state, the spool's depth and the last error")
    .option('--json', 'print the status as JSON (proto3 JSON mapping)')
    .action(async (flags: { nats: string; timeout: number; json?: boolean }) => {
      await runOnBus('cloud', { nats: flags.nats, connectTimeoutMs: flags.timeout }, (bus, output) =>
        showCloud(bus, output, { json: flags.json ?? false, requestTimeoutMs: flags.timeout }),
      );
    });
}
