import { Command } from 'commander';
import { lichenVersion } from '@lichen/contracts';
import { loadCliConfig } from './cli-config.js';
import { cancelCommand } from './commands/cancel.command.js';
import { cloudCommand } from './commands/cloud.command.js';
import { componentsCommand } from './commands/components.command.js';
import { deployCommand } from './commands/deploy.command.js';
import { deploymentsCommand } from './commands/deployments.command.js';
import { healthCommand } from './commands/health.command.js';
import { logsCommand } from './commands/logs.command.js';
import { passwdCommand } from './commands/passwd.command.js';
import { pubCommand } from './commands/pub.command.js';
import { restartCommand } from './commands/restart.command.js';
import { rollbackCommand } from './commands/rollback.command.js';
import { routesCommand } from './commands/routes.command.js';
import { runCommand } from './commands/run.command.js';
import { shadowCommand } from './commands/shadow.command.js';
import { statusCommand } from './commands/status.command.js';
import { subCommand } from './commands/sub.command.js';

/** The `lichen` command line: one subcommand per file under commands/. */
export function createProgram(): Command {
  const config = loadCliConfig();
  return new Command('lichen')
    .description('Lichen edge runtime: look at and control the device')
    .version(lichenVersion)
    .addCommand(runCommand())
    .addCommand(healthCommand(config))
    .addCommand(deployCommand(config))
    .addCommand(statusCommand(config))
    .addCommand(componentsCommand(config))
    .addCommand(logsCommand(config))
    .addCommand(restartCommand(config))
    .addCommand(rollbackCommand(config))
    .addCommand(deploymentsCommand(config))
    .addCommand(cancelCommand(config))
    .addCommand(routesCommand(config))
    .addCommand(cloudCommand(config))
    .addCommand(shadowCommand(config))
    .addCommand(pubCommand(config))
    .addCommand(subCommand(config))
    .addCommand(passwdCommand());
}
