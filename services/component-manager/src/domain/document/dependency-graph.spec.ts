import { describe, expect, it } from 'vitest';
import { checkDependencies, startOrder, type DependencyNodes } from './dependency-graph.js';

const graph = (edges: Record<string, Record<string, string>>): DependencyNodes =>
  Object.fromEntries(Object.entries(edges).map(([name, dependsOn]) => [name, { dependsOn }]));

describe('checkDependencies', () => {
  it('finds nothing wrong in a graph that can start', () => {
    expect(
      checkDependencies(graph({ sensor: { model: 'hard', broker: 'soft' }, model: { broker: 'hard' }, broker: {} })),
    ).toEqual([]);
  });

  it('names a missing dependency, with the likely one', () => {
    expect(checkDependencies(graph({ sensor: { 'anomaly-modle': 'hard' }, 'anomaly-model': {} }))).toEqual([
      {
        path: 'components.sensor.dependsOn.anomaly-modle',
        reason: 'no component named "anomaly-modle" in this deployment (did you mean "anomaly-model"?)',
      },
    ]);
  });

  it('refuses a component that depends on itself', () => {
    expect(checkDependencies(graph({ sensor: { sensor: 'soft' } }))).toEqual([
      { path: 'components.sensor.dependsOn.sensor', reason: 'a component cannot depend on itself' },
    ]);
  });

  it('names a cycle once, from its first member', () => {
    expect(checkDependencies(graph({ c: { a: 'hard' }, b: { c: 'soft' }, a: { b: 'hard' }, d: { a: 'hard' } }))).toEqual([
      { path: 'components.a.dependsOn', reason: 'dependency cycle a -> b -> c -> a' },
    ]);
  });

  it('names each separate cycle', () => {
    expect(checkDependencies(graph({ x: { y: 'hard' }, y: { x: 'hard' }, a: { b: 'soft' }, b: { a: 'soft' } }))).toEqual([
      { path: 'components.a.dependsOn', reason: 'dependency cycle a -> b -> a' },
      { path: 'components.x.dependsOn', reason: 'dependency cycle x -> y -> x' },
    ]);
  });
});

describe('startOrder', () => {
  it('starts each component after everything it depends on, hard or soft', () => {
    expect(
      startOrder(
        graph({
          sensor: { model: 'hard', logger: 'soft' },
          model: { broker: 'hard' },
          broker: {},
          logger: {},
          dashboard: { sensor: 'soft' },
        }),
      ),
    ).toEqual([['broker', 'logger'], ['model'], ['sensor'], ['dashboard']]);
  });

  it('puts independent components in one stage, sorted', () => {
    expect(startOrder(graph({ c: {}, a: {}, b: {} }))).toEqual([['a', 'b', 'c']]);
    expect(startOrder({})).toEqual([]);
  });

  it('throws on a cycle, which checkDependencies reports first', () => {
    expect(() => startOrder(graph({ a: { b: 'hard' }, b: { a: 'hard' } }))).toThrow('dependency cycle among a, b');
  });
});
