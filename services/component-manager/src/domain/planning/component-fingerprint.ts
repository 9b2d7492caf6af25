import { createHash } from 'node:crypto';
import type { ComponentSpec } from '../component/component-spec.js';

/**
 * What decides whether a running instance still matches its spec: a hash of everything that shapes the running
 * component. Left out: its `config`, which reaches the component over the bus, its bus `permissions`, which NATS
 * applies to a connected client at once, and what only the manager acts on (start order, health gate, restart
 * policy); changing those needs no restart. Stored on the instance (a
 * container label, the process record), so a restarted manager can tell what it may adopt.
 */
export function componentFingerprint(spec: ComponentSpec): string {
  const shape: Partial<ComponentSpec> = {
    ...spec,
    config: undefined,
    dependsOn: undefined,
    health: undefined,
    restart: undefined,
    permissions: undefined,
  };
  return createHash('sha256').update(canonicalJson(shape)).digest('hex').slice(0, 16);
}

/** JSON with object keys sorted, so equal specs always hash alike. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, field]) => field !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, field]) => `${JSON.stringify(key)}:${canonicalJson(field)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function sameConfig(a: ComponentSpec, b: ComponentSpec): boolean {
  return canonicalJson(a.config) === canonicalJson(b.config);
}

export function sameSpec(a: ComponentSpec, b: ComponentSpec): boolean {
  return canonicalJson(a) === canonicalJson(b);
}
