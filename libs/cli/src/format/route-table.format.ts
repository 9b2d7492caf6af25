import type { RouteCounters, RouteList } from '@lichen/contracts';
import { formatTable } from './table.format.js';

/** How much of a route's condition the table shows; `--json` has all of it. */
const WHERE_WIDTH = 40;

/**
 * The router's routes in the order the deployment lists them, under a line naming that deployment: where each
 * reads, its condition on one line and shortened, where it writes, and its counters, the dropped messages summed
 * with the count for each reason, most first.
 */
export function formatRouteTable(list: RouteList): string[] {
  const header = list.deploymentId ? `deployment ${list.deploymentId}` : 'no deployment yet';
  if (list.routes.length === 0) return [header, 'no routes'];
  const rows = list.routes.map(({ route, counters }) => [
    route?.name ?? '',
    route?.from ?? '',
    shorten(route?.where ?? ''),
    route?.to ?? '',
    String(counters?.matched ?? 0n),
    String(counters?.routed ?? 0n),
    formatDropped(counters),
  ]);
  return [header, ...formatTable(['NAME', 'FROM', 'WHERE', 'TO', 'MATCHED', 'ROUTED', 'DROPPED'], rows)];
}

/** `3 (not_json 2, condition_false 1)`; `0` when nothing was dropped. */
export function formatDropped(counters: RouteCounters | undefined): string {
  const reasons = Object.entries(counters?.dropped ?? {})
    .filter(([, count]) => count > 0n)
    .sort(([reasonA, a], [reasonB, b]) => (a === b ? reasonA.localeCompare(reasonB) : a > b ? -1 : 1));
  if (reasons.length === 0) return '0';
  const total = reasons.reduce((sum, [, count]) => sum + count, 0n);
  return `${total} (${reasons.map(([reason, count]) => `${reason} ${count}`).join(', ')})`;
}

/** A condition on one line, cut with an ellipsis past the column's width; `-` for a route without one. */
function shorten(where: string): string {
  const line = where.replace(/\s+/g, ' ').trim();
  if (!line) return '-';
  return line.length > WHERE_WIDTH ? `${line.slice(0, WHERE_WIDTH - 1)}…` : line;
}
