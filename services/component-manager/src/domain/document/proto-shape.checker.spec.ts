import { fromJson } from '@bufbuild/protobuf';
import { DeploymentSchema } from '@lichen/contracts';
import { describe, expect, it } from 'vitest';
import { checkShape } from './proto-shape.checker.js';

describe('checkShape against the Deployment message', () => {
  it('passes a well-formed document through, and fromJson accepts it', () => {
    const input = {
      apiVersion: 'lichen.dev/v1',
      metadata: { name: 'line-3', revision: 7 },
      components: {
        sensor: {
          image: 'x',
          command: ['node', 'sensor.js'],
          config: { threshold: 0.8, zones: [{ id: 1 }] },
          resources: { memory: '128Mi', cpus: 0.5 },
        },
      },
      routes: [{ name: 'r', from: 'data.>', to: 'cloud:a/b', sample: 0.5 }],
    };
    const shape = checkShape(DeploymentSchema, input);
    expect(shape).toMatchObject({ problems: [], value: input });
    expect(fromJson(DeploymentSchema, shape.value).components['sensor']?.config).toEqual({ threshold: 0.8, zones: [{ id: 1 }] });
  });

  it('writes numbers and booleans where strings belong as strings, as compose files allow', () => {
    const shape = checkShape(DeploymentSchema, {
      components: { sensor: { version: 1.2, env: { SAMPLE_HZ: 100, DEBUG: true }, command: ['sleep', 5] } },
      models: { m: { version: 3 } },
    });
    expect(shape.problems).toEqual([]);
    expect(shape.value).toEqual({
      components: { sensor: { version: '1.2', env: { SAMPLE_HZ: '100', DEBUG: 'true' }, command: ['sleep', '5'] } },
      models: { m: { version: '3' } },
    });
  });

  it('reads numbers written as strings into number fields, as proto3 JSON does', () => {
    const shape = checkShape(DeploymentSchema, {
      metadata: { revision: '12' },
      components: { s: { resources: { cpus: '0.5' } } },
    });
    expect(shape).toMatchObject({
      problems: [],
      value: { metadata: { revision: 12 }, components: { s: { resources: { cpus: 0.5 } } } },
    });
  });

  it('names every unknown field with its path and the field that was probably meant', () => {
    const shape = checkShape(DeploymentSchema, {
      apiversion: 'lichen.dev/v1',
      components: { sensor: { imagee: 'x', depends_on: { a: 'hard' }, volumes: ['/data'], health: { startup_timeout: '30s' } } },
    });
    expect(shape.problems).toEqual([
      { path: 'apiversion', reason: 'unknown field (did you mean "apiVersion"?)' },
      { path: 'components.sensor.imagee', reason: 'unknown field (did you mean "image"?)' },
      { path: 'components.sensor.depends_on', reason: 'unknown field (did you mean "dependsOn"?)' },
      { path: 'components.sensor.volumes', reason: 'unknown field' },
      { path: 'components.sensor.health.startup_timeout', reason: 'unknown field (did you mean "startupTimeout"?)' },
    ]);
    expect(shape.value).toEqual({ components: { sensor: { health: {} } } });
    // The fields they probably meant count as given (wrongly), so nobody reports "image" missing as well.
    expect([...shape.rejected]).toEqual(
      expect.arrayContaining(['components.sensor.imagee', 'components.sensor.image', 'components.sensor.dependsOn']),
    );
    expect(shape.rejected.has('components.sensor.volumes')).toBe(true);
  });

  it('lists every wrong type and leaves those values out', () => {
    const shape = checkShape(DeploymentSchema, {
      kind: ['Deployment'],
      metadata: { name: { first: 'line' }, revision: -1 },
      components: {
        sensor: {
          command: 'node sensor.js',
          env: ['A=1'],
          restart: { onConfigChange: 'yes' },
          resources: { cpus: 'half' },
          config: 'threshold=1',
        },
      },
      routes: { name: 'r' },
    });
    expect(shape.problems).toEqual([
      { path: 'kind', reason: 'expected a string, got a list' },
      { path: 'metadata.name', reason: 'expected a string, got a mapping' },
      { path: 'metadata.revision', reason: 'expected a whole number from 0 to 18446744073709551615, got -1' },
      { path: 'components.sensor.command', reason: 'expected a list of strings, got a string' },
      { path: 'components.sensor.env', reason: 'expected a mapping, got a list' },
      { path: 'components.sensor.restart.onConfigChange', reason: 'expected true or false, got "yes"' },
      { path: 'components.sensor.resources.cpus', reason: 'expected a number, got "half"' },
      { path: 'components.sensor.config', reason: 'expected a mapping, got a string' },
      { path: 'routes', reason: 'expected a list of mappings, got a mapping' },
    ]);
    expect(shape.value).toEqual({ metadata: {}, components: { sensor: { restart: {}, resources: {} } } });
    expect(() => fromJson(DeploymentSchema, shape.value)).not.toThrow();
  });

  it('keeps a component that is not a mapping as an empty one, so its name still counts', () => {
    const shape = checkShape(DeploymentSchema, { components: { sensor: 'registry.local/sensor' }, routes: [3] });
    expect(shape.problems).toEqual([
      { path: 'components.sensor', reason: 'expected a mapping, got a string' },
      { path: 'routes[0]', reason: 'expected a mapping, got a number' },
    ]);
    expect(shape.value).toEqual({ components: { sensor: {} }, routes: [{}] });
  });

  it('treats null as left out, as proto3 JSON does, but not inside a list or a map of strings', () => {
    const shape = checkShape(DeploymentSchema, {
      metadata: null,
      components: { sensor: { image: 'x', env: { TOKEN: null }, command: ['node', null] } },
    });
    expect(shape.problems).toEqual([
      { path: 'components.sensor.env.TOKEN', reason: 'expected a string, got nothing' },
      { path: 'components.sensor.command[1]', reason: 'expected a string, got nothing' },
    ]);
    expect(shape.value).toEqual({ components: { sensor: { image: 'x', env: {}, command: ['node'] } } });
  });

  it('refuses the values YAML can write in a config but JSON cannot', () => {
    const shape = checkShape(DeploymentSchema, {
      components: { s: { config: { limit: Infinity, ok: 1, nested: { nan: NaN } } } },
    });
    expect(shape.problems).toEqual([
      { path: 'components.s.config.limit', reason: '.inf is not a JSON number' },
      { path: 'components.s.config.nested.nan', reason: '.nan is not a JSON number' },
    ]);
    expect(shape.value).toEqual({ components: { s: { config: { ok: 1, nested: {} } } } });
  });

  it('refuses a document that is not a mapping', () => {
    expect(checkShape(DeploymentSchema, ['x'])).toEqual({
      problems: [{ path: '', reason: 'expected a mapping, got a list' }],
      value: {},
      rejected: new Set(['']),
    });
  });

  it('refuses __proto__ as a name, which a plain object cannot hold as a key', () => {
    const input = JSON.parse(
      '{"components": {"__proto__": {"image": "x"}, "s": {"config": {"__proto__": {"a": 1}}}}}',
    ) as unknown;
    const shape = checkShape(DeploymentSchema, input);
    expect(shape.problems).toEqual([
      { path: 'components.__proto__', reason: '"__proto__" cannot be used as a name' },
      { path: 'components.s.config.__proto__', reason: '"__proto__" cannot be used as a key' },
    ]);
    expect(Object.getPrototypeOf(shape.value['components'])).toBe(Object.prototype);
  });
});
