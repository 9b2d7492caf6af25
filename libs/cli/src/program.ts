import { Command } from 'commander';
import { lichenVersion } from '@lichen/contracts';
import { loadCliConfig } from './cli-config.js';
import { healthCommand } from './commands/health.command.js';
import { runCommand } from './commands/run.command.js';

/** The `lichen` command line: one subcommand per file under commands/. */
export function createProgram(): Command {
  const config = loadCliConfig();
  return new Command('lichen')
    .description('Lichen edge runtime: look at and control the device')
    .version(lichenVersion)
    .addCommand(runCommand())
    .addCommand(healthCommand(config));
}
