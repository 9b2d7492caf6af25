import type { Violation } from '@lichen/bus';

/**
 * A rejected request as the operator fixes it: what was rejected and why, then every problem, one
 * `path: reason` line each, in the order the device found them.
 */
export function formatRejection(what: string, message: string, violations: readonly Violation[]): string[] {
  return [
    `${what} rejected: ${message}`,
    ...violations.map((violation) => `  ${violation.path || '(document)'}: ${violation.reason}`),
  ];
}
