import type { DeploymentStatus } from '@lichen/contracts';
import { phaseName } from './deployment-phase.js';
import { formatTable } from './table.format.js';
import { formatTime } from './time.format.js';

/** The deployment history, newest first as the device lists it: one row per deployment. */
export function formatDeploymentHistory(deployments: readonly DeploymentStatus[]): string[] {
  if (deployments.length === 0) return ['no deployments yet'];
  return formatTable(
    ['ID', 'NAME', 'REV', 'PHASE', 'QUEUED', 'FINISHED', 'REASON'],
    deployments.map((status) => [
      status.id,
      status.name || '-',
      String(status.revision),
      phaseName(status.phase),
      formatTime(status.queuedAt),
      formatTime(status.finishedAt),
      status.reason,
    ]),
  );
}
