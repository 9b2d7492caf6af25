/**
 * One problem in a deployment document: where it is (the document's own JSON names joined with dots, list
 * items as `[i]`: `components.sensor.resources.memory`, `routes[1].where`) and what is wrong, in words an
 * operator can act on. The empty path means the document as a whole (a syntax error, a document that is not
 * a mapping).
 */
export interface Violation {
  readonly path: string;
  readonly reason: string;
}

/** `components` + `sensor` -> `components.sensor`; the root path is empty. */
export function fieldPath(parent: string, key: string): string {
  return parent === '' ? key : `${parent}.${key}`;
}

/** `routes` + 1 -> `routes[1]`. */
export function indexPath(parent: string, index: number): string {
  return `${parent}[${index}]`;
}

/** The line an operator reads: `components.sensor.image: reason`, or the reason alone for the whole document. */
export function formatViolation(violation: Violation): string {
  return violation.path === '' ? violation.reason : `${violation.path}: ${violation.reason}`;
}

/** Where checks send what they find. */
export type Report = (path: string, reason: string) => void;
