import { describe, expect, it } from 'vitest';
import { parseDocumentText } from './document-text.parser.js';
import { validateDeployment } from './deployment.validator.js';
import { formatViolation } from './violation.js';

const SHA = 'c0ffee'.padEnd(64, '0');

/** DESIGN.md's example, completed: the component it depends on exists and the sha256 is a real one. */
const LINE_3 = `
apiVersion: lichen.dev/v1
kind: Deployment
metadata: { name: line-3, revision: 7 }
failurePolicy: rollback            # rollback | none
components:
  vibration-sensor:
    version: 1.2.0
    image: registry.local/vibration-sensor:1.2.0   # docker runtime
    command: ["node", "sensor.js"]
    dependsOn: { anomaly-model: hard }
    env: { SAMPLE_HZ: "100" }
    config: { threshold: 0.8 }
    resources: { memory: 128Mi, cpus: 0.5 }
    restart: { policy: always }
    health: { startupTimeout: 120s }
    permissions: { publish: ["data.vibration.>"], subscribe: ["lichen.components.vibration-sensor.>"] }
  anomaly-model:
    process: { run: "node model.js", install: "npm ci" }
routes:
  - name: hot-bearings
    from: data.vibration.>
    where: "payload.rms > 4.0"
    to: model:bearing-anomaly
    output: scores.bearing
  - name: alerts-to-cloud
    from: data.alerts.>
    to: cloud:factory/line-3/alerts
models:
  bearing-anomaly: { version: 3, uri: file:///models/bearing-anomaly-3.onnx, sha256: "${SHA}" }
`;

const dockerDevice = { dockerAvailable: true };

function validateText(text: string, device = dockerDevice) {
  const parsed = parseDocumentText(text);
  if (!parsed.ok) throw new Error(parsed.violations.map(formatViolation).join('\n'));
  return validateDeployment(parsed.value, device);
}

function problems(text: string, device = dockerDevice): string[] {
  const result = validateText(text, device);
  return result.ok ? [] : result.violations.map(formatViolation);
}

describe('validateDeployment', () => {
  it('reads the line-3 example into specs with every default filled in', () => {
    const result = validateText(LINE_3);
    if (!result.ok) throw new Error(result.violations.map(formatViolation).join('\n'));
    const { document, ...deployment } = result.deployment;
    expect(deployment).toEqual({
      name: 'line-3',
      revision: 7,
      target: '',
      failurePolicy: 'rollback',
      timeoutMs: 600_000,
      components: {
        'vibration-sensor': {
          name: 'vibration-sensor',
          version: '1.2.0',
          runtime: 'docker',
          image: 'registry.local/vibration-sensor:1.2.0',
          command: ['node', 'sensor.js'],
          dependsOn: { 'anomaly-model': 'hard' },
          env: { SAMPLE_HZ: '100' },
          config: { threshold: 0.8 },
          resources: { memoryBytes: 128 * 1024 * 1024, cpus: 0.5 },
          restart: { policy: 'always', onConfigChange: false },
          health: { startupTimeoutMs: 120_000 },
          timeouts: { installMs: 120_000, shutdownMs: 15_000 },
          pullPolicy: 'if-not-present',
          network: 'host',
          permissions: { publish: ['data.vibration.>'], subscribe: ['lichen.components.vibration-sensor.>'] },
        },
        'anomaly-model': {
          name: 'anomaly-model',
          version: '',
          runtime: 'process',
          process: { run: 'node model.js', install: 'npm ci' },
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
        },
      },
      startOrder: [['anomaly-model'], ['vibration-sensor']],
      routes: [
        {
          name: 'hot-bearings',
          from: 'data.vibration.>',
          where: 'payload.rms > 4.0',
          to: 'model:bearing-anomaly',
          output: 'scores.bearing',
          sample: 1,
        },
        { name: 'alerts-to-cloud', from: 'data.alerts.>', to: 'cloud:factory/line-3/alerts', sample: 1 },
      ],
      models: {
        'bearing-anomaly': { name: 'bearing-anomaly', version: '3', uri: 'file:///models/bearing-anomaly-3.onnx', sha256: SHA },
      },
      devices: {},
    });
    expect(document.metadata?.revision).toBe(7n);
    expect(document.components['vibration-sensor']?.resources?.memory).toBe('128Mi');
  });

  it("flags DESIGN.md's example as written: its dependency is a model, and its sha256 is a placeholder", () => {
    const asWritten = LINE_3.replace(/ {2}anomaly-model:\n.*\n/, '').replace(SHA, '...');
    expect(problems(asWritten)).toEqual([
      'components.vibration-sensor.dependsOn.anomaly-model: no component named "anomaly-model" in this deployment',
      'models.bearing-anomaly.sha256: must be 64 hexadecimal characters (the SHA-256 of the model file)',
    ]);
  });

  it('lists all five mistakes of a document at once, in document order', () => {
    const text = LINE_3.replace('name: line-3', 'name: Line 3')
      .replace('image: registry', 'imagee: registry')
      .replace('memory: 128Mi', 'memory: 12XB')
      .replace('where: "payload.rms > 4.0"', 'where: "payload.rms > 4.0"\n    sample: 2')
      .replace('startupTimeout: 120s', 'startupTimeout: 5 minutes');
    expect(problems(text)).toEqual([
      'metadata.name: "Line 3" is not a valid deployment name: use lower-case letters, digits, - and _, starting with a letter or digit, at most 63 characters',
      'components.vibration-sensor.imagee: unknown field (did you mean "image"?)',
      'components.vibration-sensor.resources.memory: "12XB" is not a quantity',
      'components.vibration-sensor.health.startupTimeout: "5 minutes" is not a duration (use 500ms, 30s, 5m, 1h)',
      'routes[0].sample: must be more than 0 and at most 1, got 2',
    ]);
  });

  it('refuses an image on a device with no Docker engine, and takes the same document as processes', () => {
    expect(problems(LINE_3, { dockerAvailable: false })).toEqual([
      'components.vibration-sensor.image: this device has no Docker engine; use process: instead',
    ]);
    const asProcess = LINE_3.replace('image: registry.local/vibration-sensor:1.2.0', 'process: { run: node sensor.js }').replace(
      / {4}command: .*\n/,
      '',
    );
    expect(problems(asProcess, { dockerAvailable: false })).toEqual([]);
  });

  it('checks the header: apiVersion, kind, metadata.name, failurePolicy and timeout', () => {
    const text = 'apiVersion: lichen.dev/v2\nfailurePolicy: retry\ntimeout: 10\nmetadata: { revision: 3 }\n';
    expect(problems(text)).toEqual([
      'apiVersion: must be lichen.dev/v1, got "lichen.dev/v2"',
      'kind: required (Deployment)',
      "metadata.name: required (the deployment's name, e.g. line-3)",
      'failurePolicy: must be rollback or none, got "retry"',
      'timeout: "10" is not a duration (use 500ms, 30s, 5m, 1h)',
    ]);
  });

  it('takes a minimal document: no components, revision 0, the default target and policies', () => {
    const result = validateText(
      'apiVersion: lichen.dev/v1\nkind: Deployment\nmetadata: { name: empty, target: group/line-3 }\ntimeout: 2m\nfailurePolicy: none\n',
    );
    expect(result.ok && { ...result.deployment, document: undefined }).toEqual({
      name: 'empty',
      revision: 0,
      target: 'group/line-3',
      failurePolicy: 'none',
      timeoutMs: 120_000,
      components: {},
      startOrder: [],
      routes: [],
      models: {},
      devices: {},
      document: undefined,
    });
  });

  it('does not report a value of the wrong type a second time as missing', () => {
    const text =
      'apiVersion: lichen.dev/v1\nkind: Deployment\nmetadata: line-3\ncomponents:\n  sensor: registry.local/sensor\n  ui: { image: [ui], dependsOn: { sensor: hard } }\n';
    expect(problems(text)).toEqual([
      'metadata: expected a mapping, got a string',
      'components.sensor: expected a mapping, got a string',
      'components.ui.image: expected a string, got a list',
    ]);
  });

  it('reports a cycle with the components in it', () => {
    const text = `apiVersion: lichen.dev/v1
kind: Deployment
metadata: { name: loop }
components:
  a: { process: { run: a }, dependsOn: { b: hard } }
  b: { process: { run: b }, dependsOn: { c: soft } }
  c: { process: { run: c }, dependsOn: { a: hard } }
`;
    expect(problems(text)).toEqual(['components.a.dependsOn: dependency cycle a -> b -> c -> a']);
  });

  it('refuses input that is not a document at all', () => {
    expect(validateDeployment('line-3', dockerDevice)).toEqual({
      ok: false,
      violations: [{ path: '', reason: 'expected a mapping, got a string' }],
    });
  });
});
