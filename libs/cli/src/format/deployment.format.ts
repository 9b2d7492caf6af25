import { timestampDate } from '@bufbuild/protobuf/wkt';
import {
  ComponentState,
  componentStateName,
  DeploymentPhase,
  type ComponentProgress,
  type DeploymentStatus,
} from '@lichen/contracts';
import { phaseName } from './deployment-phase.js';
import { formatTable } from './table.format.js';
import { formatSpan } from './time.format.js';

/** `line-3 r7 (01J...)`: what the operator named the deployment, and the id the device gave it. */
export function deploymentLabel(status: DeploymentStatus): string {
  return status.name ? `${status.name} r${status.revision} (${status.id})` : status.id;
}

function byName(status: DeploymentStatus): [name: string, progress: ComponentProgress][] {
  return Object.entries(status.components).sort(([a], [b]) => a.localeCompare(b));
}

const failedStates: ReadonlySet<ComponentState> = new Set([ComponentState.ERRORED, ComponentState.BROKEN]);

const stateOf = (progress: ComponentProgress) =>
  progress.state === ComponentState.UNSPECIFIED ? 'pending' : componentStateName(progress.state);

/**
 * The live view of a deployment: its phase, then one line per component (name, action, state, reason). Redrawn
 * in place on a terminal at every change.
 */
export function renderDeployment(status: DeploymentStatus): string[] {
  const lines = [`deployment ${deploymentLabel(status)}  ${phaseName(status.phase)}${status.reason ? `: ${status.reason}` : ''}`];
  const components = byName(status);
  if (components.length === 0) return lines;
  const rows = components.map(([name, progress]) => [name, progress.action || '-', stateOf(progress), progress.reason]);
  return [...lines, ...formatTable(['COMPONENT', 'ACTION', 'STATE', 'REASON'], rows).map((line) => `  ${line}`)];
}

/** `  ticker update ERRORED: exited with 3`; before the plan, `  ticker pending`. A reason only with an error. */
function componentLine(name: string, progress: ComponentProgress): string {
  const action = progress.action && progress.action !== 'pending' ? ` ${progress.action}` : '';
  const reason = failedStates.has(progress.state) && progress.reason ? `: ${progress.reason}` : '';
  return `  ${name}${action} ${stateOf(progress)}${reason}`;
}

/**
 * What changed from one status of a deployment to the next, one plain line per change (for a log or a pipe):
 * the phase when it moved, then each component whose action, state or reason changed.
 */
export function progressLines(previous: DeploymentStatus | undefined, next: DeploymentStatus): string[] {
  const lines: string[] = [];
  if (!previous || previous.phase !== next.phase || previous.reason !== next.reason) {
    lines.push(`deployment ${deploymentLabel(next)} ${phaseName(next.phase)}${next.reason ? `: ${next.reason}` : ''}`);
  }
  for (const [name, progress] of byName(next)) {
    const before = previous?.components[name];
    if (before && componentLine(name, before) === componentLine(name, progress)) continue;
    lines.push(componentLine(name, progress));
  }
  return lines;
}

function took(status: DeploymentStatus): string {
  const from = status.startedAt ?? status.queuedAt;
  if (!from || !status.finishedAt) return '';
  return ` in ${formatSpan(timestampDate(status.finishedAt).getTime() - timestampDate(from).getTime())}`;
}

/**
 * The last word on a finished deployment. On failure, the cause per component: every component that failed
 * or carries a reason, so the operator sees which one broke and why without asking again.
 */
export function deploymentOutcome(status: DeploymentStatus): string[] {
  const head = `deployment ${deploymentLabel(status)} ${phaseName(status.phase)}`;
  if (status.phase === DeploymentPhase.SUCCEEDED) return [`${head}${took(status)}`];
  const lines = [`${head}${status.reason ? `: ${status.reason}` : ''}`];
  for (const [name, progress] of byName(status)) {
    if (failedStates.has(progress.state)) {
      lines.push(`  ${name}: ${stateOf(progress)}${progress.reason ? `: ${progress.reason}` : ''}`);
    } else if (progress.reason) {
      // The cause, and where the component is now (after a rollback, running its previous version).
      lines.push(`  ${name}: ${progress.reason} (now ${stateOf(progress)})`);
    }
  }
  if (status.rolledBackTo) lines.push(`the device is back on deployment ${status.rolledBackTo}`);
  return lines;
}
