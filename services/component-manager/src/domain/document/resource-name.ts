/**
 * The names a document gives components, models, routes and the deployment itself. They become NATS subject
 * tokens (`lichen.components.<name>.config`), container names and metric labels, so no dots, wildcards,
 * spaces or capitals.
 */
export const NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** What is wrong with a name, or nothing. */
export function nameProblem(name: string, what: string): string | undefined {
  if (NAME_PATTERN.test(name)) return undefined;
  return `"${name}" is not a valid ${what}: use lower-case letters, digits, - and _, starting with a letter or digit, at most 63 characters`;
}
