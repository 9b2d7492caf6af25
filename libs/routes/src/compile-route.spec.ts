import { describe, expect, it } from 'vitest';
import { compileRoute, type CompiledRoute } from './compile-route.js';
import type { RouteDefinition } from './route-definition.js';

const route = (fields: Partial<RouteDefinition>): RouteDefinition => ({
  name: 'r',
  from: 'data.>',
  to: 'out',
  sample: 1,
  ...fields,
});

function compiled(fields: Partial<RouteDefinition>): CompiledRoute {
  const result = compileRoute(route(fields));
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.route;
}

describe('compileRoute', () => {
  it('fills a subject target with the wildcards from matched', () => {
    const { target, filter } = compiled({ from: 'data.*.temp', to: 'alerts.$1.high' });
    const captured = filter.match('data.press-7.temp'.split('.')) ?? [];
    expect(target.kind === 'subject' && target.subject(captured)).toBe('alerts.press-7.high');
  });

  it('spools a cloud target on cloud.out.<levels>', () => {
    const { target } = compiled({ from: 'data.*.alarm', to: 'cloud:factory/$1/alarms' });
    expect(target).toMatchObject({ kind: 'cloud', topic: 'factory/$1/alarms' });
    expect(target.kind === 'cloud' && target.subject(['press-7'])).toBe('cloud.out.factory.press-7.alarms');
  });

  it('sends a model target to its model and its answer to output', () => {
    const { target } = compiled({ from: 'data.*.vib', to: 'model:bearing-anomaly', output: 'scores.$1' });
    expect(target).toMatchObject({ kind: 'model', model: 'bearing-anomaly' });
    expect(target.kind === 'model' && target.output(['press-7'])).toBe('scores.press-7');
  });

  it('gives equal keys to equal definitions and different ones otherwise', () => {
    expect(compiled({ where: 'payload.t > 1.0' }).key).toBe(compiled({ where: 'payload.t > 1.0' }).key);
    expect(compiled({ where: 'payload.t > 1.0' }).key).not.toBe(compiled({ where: 'payload.t > 2.0' }).key);
  });

  it('reports every problem with its field, the condition with its column', () => {
    const result = compileRoute(
      route({ from: 'data..x', where: 'payload.t >', to: 'alerts.$3', sample: 2, rateLimit: 'lots', output: 'x' }),
    );
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems).toEqual([
      { field: 'from', message: expect.stringContaining('empty token') },
      { field: 'where', message: 'Unexpected token: EOF at column 12 of "payload.t >"' },
      { field: 'output', message: 'only a model: route publishes an output' },
      { field: 'sample', message: 'must be more than 0 and at most 1, got 2' },
      { field: 'rateLimit', message: expect.stringContaining('"lots" is not a rate') },
    ]);
  });

  it('refuses a target that refers to a wildcard from lacks, a model route without output, an unknown scheme', () => {
    const problems = (fields: Partial<RouteDefinition>) => {
      const result = compileRoute(route(fields));
      return result.ok ? [] : result.problems.map((problem) => `${problem.field}: ${problem.message}`);
    };
    expect(problems({ from: 'data.*', to: 'alerts.$2' })).toEqual([
      'to: "$2" refers to wildcard 2 of from, which has 1 wildcard',
    ]);
    expect(problems({ to: 'model:m' })).toEqual(['output: a model route needs the subject its answers are published on']);
    expect(problems({ to: 'mqtt:x' })).toEqual(['to: unknown target "mqtt:"; use cloud:<topic>, model:<name> or a subject']);
    expect(problems({ to: 'alerts.>' })).toEqual([expect.stringContaining('to: "alerts.>" is a filter')]);
    expect(problems({ to: 'Cloud:x' })).toEqual(['to: unknown target "Cloud:"; use cloud:<topic>, model:<name> or a subject']);
  });

  it("refuses to read every subject, reply inboxes or the server's own subjects", () => {
    const problems = (from: string) => {
      const result = compileRoute(route({ from }));
      return result.ok ? [] : result.problems.map((problem) => problem.message);
    };
    expect(problems('>')).toEqual([expect.stringContaining('cannot read every subject')]);
    expect(problems('_INBOX.>')).toEqual([expect.stringContaining('reply inbox')]);
    expect(problems('$JS.API.>')).toEqual([expect.stringContaining('reply inbox')]);
    expect(problems('*.>')).toEqual([]);
    const targets = (to: string) => {
      const result = compileRoute(route({ from: 'data.*', to }));
      return result.ok ? [] : result.problems.map((problem) => problem.message);
    };
    expect(targets('$JS.API.STREAM.PURGE.$1')).toEqual([expect.stringContaining('cannot publish there')]);
    expect(targets('_INBOX.x.$1')).toEqual([expect.stringContaining('cannot publish there')]);
    expect(targets('out.{{ wildcard(1) }}')).toEqual([]);
  });
});
