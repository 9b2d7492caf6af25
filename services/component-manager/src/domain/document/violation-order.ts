import type { DescMessage } from '@bufbuild/protobuf';
import { isPlainObject } from './json-kind.js';
import type { Violation } from './violation.js';

/**
 * Sorts violations the way an operator reads the document: problems with the document as a whole first,
 * then by top-level field in the schema's order (apiVersion, kind, metadata, ..., components, routes, models),
 * then by the component, route or model in the order the document lists them. Within one of those the
 * checks' own order is kept (the sort is stable), so a component's problems stay together.
 */
export function sortInDocumentOrder(violations: readonly Violation[], schema: DescMessage, input: unknown): Violation[] {
  const fieldRank = new Map(schema.fields.map((field, index) => [field.jsonName, index]));
  const rank = (path: string): [number, number] => {
    const field = /^[^.[]*/.exec(path)?.[0] ?? '';
    if (field === '') return [-1, 0];
    return [
      fieldRank.get(field) ?? fieldRank.size,
      entryRank(isPlainObject(input) ? input[field] : undefined, path.slice(field.length)),
    ];
  };
  return violations
    .map((violation, index) => ({ violation, index, rank: rank(violation.path) }))
    .sort((a, b) => a.rank[0] - b.rank[0] || a.rank[1] - b.rank[1] || a.index - b.index)
    .map(({ violation }) => violation);
}

/** The position of the entry `rest` (`[2].to`, `.sensor.image`) in a list or mapping; a key may hold dots. */
function entryRank(section: unknown, rest: string): number {
  if (rest === '') return -1;
  if (Array.isArray(section)) return Number(/^\[(\d+)\]/.exec(rest)?.[1] ?? section.length);
  const keys = isPlainObject(section) ? Object.keys(section) : [];
  let best = keys.length;
  let bestLength = -1;
  keys.forEach((key, index) => {
    const after = rest.charAt(key.length + 1);
    if (rest.startsWith(`.${key}`) && (after === '' || after === '.' || after === '[') && key.length > bestLength) {
      best = index;
      bestLength = key.length;
    }
  });
  return best;
}
