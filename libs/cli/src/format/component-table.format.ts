import { componentStateName, type ComponentStatus } from '@lichen/contracts';
import { formatTable } from './table.format.js';
import { formatAge } from './time.format.js';

/** The components on the device, by name: runtime, version, state, restarts, time in that state, reason. */
export function formatComponentTable(components: readonly ComponentStatus[], now: Date): string[] {
  if (components.length === 0) return ['no components on the device'];
  const rows = [...components]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((component) => [
      component.name,
      component.runtime || '-',
      component.version || '-',
      componentStateName(component.state),
      String(component.restarts),
      formatAge(component.since, now),
      component.reason,
    ]);
  return formatTable(['NAME', 'RUNTIME', 'VERSION', 'STATE', 'RESTARTS', 'SINCE', 'REASON'], rows);
}
