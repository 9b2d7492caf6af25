import type { HealthPolicy } from '@lichen/contracts';
import type { ComponentSpec, HealthCheckSpec } from '../component/component-spec.js';
import type { DocumentDefaults } from './document-defaults.js';
import type { ValidationContext } from './validation-context.js';
import { fieldPath } from './violation.js';

const TCP = /^(?:(\[[0-9A-Fa-f:.]+\]|[^\s:[\]]+):)?(\d{1,5})$/;

/**
 * Reads a component's `health`: how long it may take to become RUNNING and healthy, and the check that says
 * it is, either a command that exits 0 or a TCP port that accepts (`8080` means the device itself).
 */
export function validateHealth(
  health: HealthPolicy | undefined,
  path: string,
  context: ValidationContext,
  defaults: DocumentDefaults,
): ComponentSpec['health'] {
  const at = (field: string) => fieldPath(path, field);
  const startupTimeoutMs = context.duration(at('startupTimeout'), health?.startupTimeout ?? '', defaults.startupTimeoutMs);
  const intervalMs = context.duration(at('interval'), health?.interval ?? '', defaults.healthIntervalMs);
  const command = health?.command ?? [];
  const tcp = health?.tcp ? readTcp(health.tcp, at('tcp'), context, defaults) : undefined;
  if (command.length > 0 && health?.tcp) context.report(path, 'give either command or tcp as the health check, not both');
  if (command[0]?.trim() === '') context.report(`${at('command')}[0]`, 'the program to run cannot be empty');

  let check: HealthCheckSpec | undefined;
  if (command.length > 0) check = { command, intervalMs };
  else if (tcp) check = { tcp, intervalMs };
  return check ? { startupTimeoutMs, check } : { startupTimeoutMs };
}

function readTcp(text: string, path: string, context: ValidationContext, defaults: DocumentDefaults): HealthCheckSpec['tcp'] {
  const match = TCP.exec(text.trim());
  const port = Number(match?.[2]);
  if (!match || port < 1 || port > 65535) {
    context.report(path, `"${text}" is not a port or host:port (e.g. 8080 or 127.0.0.1:8080)`);
    return undefined;
  }
  const host = match[1]?.replace(/^\[(.*)\]$/, '$1') ?? defaults.healthTcpHost;
  return { host, port };
}
