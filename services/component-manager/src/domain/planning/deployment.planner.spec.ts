import { describe, expect, it } from 'vitest';
import type { ComponentSpec } from '../component/component-spec.js';
import type { ComponentInstance } from '../runtime/component-runtime.js';
import { componentFingerprint } from './component-fingerprint.js';
import { planDeployment } from './deployment.planner.js';
import { componentSpec } from '../../../test/fakes/component-spec.js';

const spec = componentSpec;

function running(component: ComponentSpec): ComponentInstance {
  return {
    name: component.name,
    runtime: component.runtime,
    id: `id-${component.name}`,
    fingerprint: componentFingerprint(component),
    deployment: 'd1',
    status: 'running',
  };
}

function desired(...specs: ComponentSpec[]) {
  return { components: Object.fromEntries(specs.map((s) => [s.name, s])), startOrder: [specs.map((s) => s.name)] };
}

const summary = (plan: ReturnType<typeof planDeployment>) => [
  ...plan.removals.map((step) => `remove ${step.name}`),
  ...plan.stages.flat().map((step) => `${step.kind} ${step.spec.name}`),
  ...plan.unchanged.map((name) => `unchanged ${name}`),
];

describe('planDeployment', () => {
  it('creates what is missing, removes what is no longer wanted, and leaves the rest alone', () => {
    const kept = spec('kept');
    const plan = planDeployment(desired(kept, spec('added')), [running(kept), running(spec('gone'))], { kept });
    expect(summary(plan)).toEqual(['remove gone', 'create added', 'unchanged kept']);
  });

  it('follows the start order: dependencies in earlier stages', () => {
    const plan = planDeployment(
      { components: { a: spec('a'), b: spec('b'), c: spec('c') }, startOrder: [['a'], ['b', 'c']] },
      [],
      {},
    );
    expect(plan.stages.map((stage) => stage.map((step) => step.spec.name))).toEqual([['a'], ['b', 'c']]);
  });

  it('replaces an instance whose image, command, env or resources changed', () => {
    const before = spec('app');
    const after = spec('app', { env: { MODE: 'two' } });
    expect(summary(planDeployment(desired(after), [running(before)], { app: before }))).toEqual(['update app']);
    const moved = spec('app', { runtime: 'docker', image: 'app:1', process: undefined });
    expect(planDeployment(desired(moved), [running(before)], { app: before }).stages.flat()[0]).toMatchObject({
      kind: 'update',
      previousRuntime: 'process',
    });
  });

  it('tells a running component its new config instead of restarting it, unless it asked to be restarted', () => {
    const before = spec('app', { config: { level: 1 } });
    const plan = planDeployment(desired(spec('app', { config: { level: 2 } })), [running(before)], { app: before });
    expect(plan.stages.flat()[0]).toMatchObject({ kind: 'configure', configChanged: true });
    const restartOnChange = spec('app', { config: { level: 2 }, restart: { policy: 'always', onConfigChange: true } });
    const beforeRestart = { ...before, restart: restartOnChange.restart };
    expect(summary(planDeployment(desired(restartOnChange), [running(beforeRestart)], { app: beforeRestart }))).toEqual([
      'update app',
    ]);
  });

  it('keeps an instance running when only its start order, health gate or restart policy changed', () => {
    const before = spec('app');
    const after = spec('app', { dependsOn: { db: 'soft' }, health: { startupTimeoutMs: 5_000 } });
    expect(planDeployment(desired(after), [running(before)], { app: before }).stages.flat()[0]).toMatchObject({
      kind: 'configure',
      configChanged: false,
    });
  });

  it('reinstalls a BROKEN component on a new deployment, even when nothing about it changed', () => {
    const app = spec('app');
    expect(summary(planDeployment(desired(app), [running(app)], { app }, new Set(['app'])))).toEqual(['update app']);
  });
});
