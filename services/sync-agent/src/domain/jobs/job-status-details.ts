import type { DeploymentOutcome, DocumentProblem } from './deployments.js';

/** Longest value the agent puts in `statusDetails` (AWS takes up to 1024 characters; a fleet console shows less). */
export const STATUS_DETAIL_MAX = 256;

export type StatusDetails = Readonly<Record<string, string>>;

/** What a finished job reports: the deployment it became, its final phase, and why it failed when it did. */
export function outcomeDetails(outcome: DeploymentOutcome): StatusDetails {
  return statusDetails({ deploymentId: outcome.id, phase: outcome.phase, reason: outcome.reason });
}

/** What a job whose deployment could not be queued (or followed) reports. */
export function failureDetails(reason: string, deploymentId = ''): StatusDetails {
  return statusDetails({ deploymentId, phase: 'FAILED', reason });
}

/** What a job the device refuses reports: why, and the document's problems (`path: reason; ...`) as far as they fit. */
export function refusalDetails(reason: string, problems: readonly DocumentProblem[] = []): StatusDetails {
  return statusDetails({ reason, problems: problems.map(({ path, reason: why }) => `${path}: ${why}`).join('; ') });
}

/**
 * `statusDetails` as AWS takes them: string values of at least one character and no control characters (each
 * becomes a space), cut to `STATUS_DETAIL_MAX` characters with an ellipsis; empty values are left out.
 */
export function statusDetails(values: Readonly<Record<string, string>>): StatusDetails {
  const details: Record<string, string> = {};
  for (const [key, value] of Object.entries(values)) {
    const clean = value.replace(/\p{C}+/gu, ' ').trim();
    if (clean) details[key] = shorten(clean, STATUS_DETAIL_MAX);
  }
  return details;
}

/** At most `max` characters (code points, so a surrogate pair is never cut in two). */
function shorten(text: string, max: number): string {
  const characters = Array.from(text);
  return characters.length <= max ? text : `${characters.slice(0, max - 1).join('')}…`;
}
