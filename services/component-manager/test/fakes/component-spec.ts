import type { ComponentSpec } from '../../src/domain/component/component-spec.js';

/**
 * A component's spec for a spec: a process component that sleeps, with the document's defaults, and `changes`
 * over them (`{ runtime: 'docker', image, process: undefined }` for a container).
 */
export function componentSpec(name: string, changes: Partial<ComponentSpec> = {}): ComponentSpec {
  return {
    name,
    version: '1',
    runtime: 'process',
    process: { run: 'sleep 1000' },
    dependsOn: {},
    env: {},
    config: {},
    resources: {},
    restart: { policy: 'always', onConfigChange: false },
    health: { startupTimeoutMs: 120_000 },
    timeouts: { installMs: 120_000, shutdownMs: 15_000 },
    pullPolicy: 'if-not-present',
    network: 'host',
    permissions: { publish: [], subscribe: [] },
    ...changes,
  };
}
