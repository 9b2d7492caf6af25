/**
 * The queue group a request handler joins by default, so that replicas of a service share its requests: one
 * name per subject pattern, the same in every replica. Wildcards become `_` (a queue name is not a subject).
 */
export function queueGroupFor(pattern: string): string {
  return pattern.replace(/\*/g, '_').replace(/>/g, '_');
}
