import { DeploymentPhase } from '@lichen/contracts';

const finalPhases: ReadonlySet<DeploymentPhase> = new Set([
  DeploymentPhase.SUCCEEDED,
  DeploymentPhase.FAILED,
  DeploymentPhase.FAILED_ROLLED_BACK,
  DeploymentPhase.CANCELED,
  DeploymentPhase.SUPERSEDED,
]);

/** The phase as operators read it: `QUEUED`, `FAILED_ROLLED_BACK`, ... */
export function phaseName(phase: DeploymentPhase): string {
  return DeploymentPhase[phase] ?? 'UNSPECIFIED';
}

/** True for the phases a deployment never leaves. */
export function isFinalPhase(phase: DeploymentPhase): boolean {
  return finalPhases.has(phase);
}

/**
 * How far along a phase is: a deployment only moves forward (queued, in progress, maybe rolling back, then
 * final), so of two statuses of one deployment the one further along is the newer.
 */
export function phaseRank(phase: DeploymentPhase): number {
  if (isFinalPhase(phase)) return 4;
  if (phase === DeploymentPhase.ROLLING_BACK) return 3;
  if (phase === DeploymentPhase.IN_PROGRESS) return 2;
  return phase === DeploymentPhase.QUEUED ? 1 : 0;
}
