import { describe, expect, it } from 'vitest';
import { validateDeployment } from './deployment.validator.js';
import { formatViolation } from './violation.js';

function check(routes: unknown[]) {
  const models = { 'bearing-anomaly': { uri: 'file:///models/bearing-anomaly-3.onnx' } };
  const result = validateDeployment(
    { apiVersion: 'lichen.dev/v1', kind: 'Deployment', metadata: { name: 'test' }, routes, models },
    { dockerAvailable: true },
  );
  return result.ok
    ? { routes: result.deployment.routes, problems: [] }
    : { routes: [], problems: result.violations.map(formatViolation) };
}

describe('validateRoutes', () => {
  it('reads each kind of target', () => {
    expect(
      check([
        {
          name: 'to-model',
          from: 'data.vibration.*',
          to: 'model:bearing-anomaly',
          where: 'payload.rms > 4.0',
          output: 'scores.$1',
        },
        { name: 'to-cloud', from: 'data.alerts.>', to: 'cloud:factory/line-3/alerts', sample: 0.1, rateLimit: '10/s' },
        { name: 'to-subject', from: 'data.*.raw', to: 'data.archive' },
      ]).routes,
    ).toEqual([
      {
        name: 'to-model',
        from: 'data.vibration.*',
        where: 'payload.rms > 4.0',
        to: 'model:bearing-anomaly',
        output: 'scores.$1',
        sample: 1,
      },
      { name: 'to-cloud', from: 'data.alerts.>', to: 'cloud:factory/line-3/alerts', sample: 0.1, rateLimit: '10/s' },
      { name: 'to-subject', from: 'data.*.raw', to: 'data.archive', sample: 1 },
    ]);
  });

  it('needs a name, a from and a to on every route', () => {
    expect(check([{ where: 'true' }]).problems).toEqual([
      'routes[0].name: required (a name for this route)',
      'routes[0].from: required (the subject filter it reads, e.g. data.vibration.>)',
      'routes[0].to: required (cloud:<topic>, model:<name> or a subject)',
    ]);
  });

  it('refuses a name used twice, pointing at the first', () => {
    expect(
      check([
        { name: 'alerts', from: 'a', to: 'b' },
        { name: 'other', from: 'a', to: 'b' },
        { name: 'alerts', from: 'c', to: 'd' },
      ]).problems,
    ).toEqual(['routes[2].name: "alerts" is already the name of routes[0]']);
  });

  it('refuses targets it cannot deliver to', () => {
    expect(
      check([
        { name: 'a', from: 'data.>', to: 'model:bearing-anomly', output: 'scores' },
        { name: 'b', from: 'data.>', to: 'cloud:factory/line.3' },
        { name: 'c', from: 'data.>', to: 'mqtt:alerts' },
        { name: 'd', from: 'data.>', to: 'data.*' },
        { name: 'e', from: 'data.>.x', to: 'cloud:' },
      ]).problems,
    ).toEqual([
      'routes[0].to: no model named "bearing-anomly" in models (did you mean "bearing-anomaly"?)',
      'routes[1].to: "factory/line.3" is not a valid cloud topic: levels cannot hold whitespace, ".", "*", ">", "+" or "#"',
      'routes[2].to: unknown target "mqtt:"; use cloud:<topic>, model:<name> or a subject',
      'routes[3].to: "data.*" is a filter; a subject to publish to cannot hold * or >',
      'routes[4].from: "data.>.x" is not a valid subject filter: > must be the last token',
      'routes[4].to: a cloud topic cannot be empty (cloud:<topic>, e.g. cloud:factory/line-3/alerts)',
    ]);
  });

  it('rejects a condition that does not compile, saying where in the expression', () => {
    expect(
      check([
        { name: 'hot', from: 'data.>', to: 'alerts', where: 'payload.rms >> 4.0' },
        { name: 'typo', from: 'data.>', to: 'alerts', where: 'paylod.rms > 4.0' },
        { name: 'text', from: 'data.>', to: 'alerts', where: '"hot"' },
      ]).problems,
    ).toEqual([
      'routes[0].where: Unexpected token: GT at column 14 of "payload.rms >> 4.0"',
      'routes[1].where: Unknown variable: paylod at column 1 of "paylod.rms > 4.0"',
      'routes[2].where: a condition must be a bool, and this is string at column 1 of ""hot""',
    ]);
  });

  it('checks the $N tokens of targets, rate limits and model outputs', () => {
    expect(
      check([
        { name: 'a', from: 'data.*.temp', to: 'alerts.$2' },
        { name: 'b', from: 'data.>', to: 'alerts', rateLimit: '10 per second' },
        { name: 'c', from: 'data.>', to: 'model:bearing-anomaly' },
        { name: 'd', from: 'data.>', to: 'alerts', output: 'x' },
      ]).problems,
    ).toEqual([
      'routes[0].to: "$2" refers to wildcard 2 of from, which has 1 wildcard',
      'routes[1].rateLimit: "10 per second" is not a rate: write <count>/<unit>, e.g. 100/s, 5/min or 1000/h',
      'routes[2].output: a model route needs the subject its answers are published on',
      'routes[3].output: only a model: route publishes an output',
    ]);
  });

  it('takes a sample in (0, 1] only, and 0 written is not 0 left out', () => {
    expect(check([{ name: 'all', from: 'a', to: 'b', sample: 1 }]).problems).toEqual([]);
    expect(
      check([
        { name: 'none', from: 'a', to: 'b', sample: 0 },
        { name: 'more', from: 'a', to: 'b', sample: 1.5 },
      ]).problems,
    ).toEqual([
      'routes[0].sample: must be more than 0 and at most 1, got 0',
      'routes[1].sample: must be more than 0 and at most 1, got 1.5',
    ]);
  });
});
