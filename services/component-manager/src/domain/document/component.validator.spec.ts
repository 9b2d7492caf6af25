import { describe, expect, it } from 'vitest';
import type { ComponentSpec } from '../component/component-spec.js';
import { validateDeployment } from './deployment.validator.js';
import { formatViolation } from './violation.js';

/** A document around the given components, as an operator would write it (already parsed). */
function check(components: Record<string, unknown>, device = { dockerAvailable: true }) {
  const result = validateDeployment(
    { apiVersion: 'lichen.dev/v1', kind: 'Deployment', metadata: { name: 'test' }, components },
    device,
  );
  const specs: Readonly<Record<string, ComponentSpec>> = result.ok ? result.deployment.components : {};
  return { specs, problems: result.ok ? [] : result.violations.map(formatViolation) };
}

function spec(component: Record<string, unknown>): ComponentSpec {
  const { specs, problems } = check({ sensor: component });
  expect(problems).toEqual([]);
  return specs['sensor']!;
}

describe('validateComponent', () => {
  it('needs exactly one of image and process', () => {
    expect(check({ sensor: { version: '1' } }).problems).toEqual([
      'components.sensor: needs image (a Docker image) or process (a native process)',
    ]);
    expect(check({ sensor: { image: 'x', process: { run: 'y' } } }).problems).toEqual([
      'components.sensor: has both image and process; a component is a Docker image or a native process, keep one',
    ]);
  });

  it('keeps component names to what a subject token and a container name can hold', () => {
    expect(
      check({ 'Vibration.Sensor': { image: 'x' }, [`s${'x'.repeat(63)}`]: { image: 'x' }, ok_name: { image: 'x' } }).problems,
    ).toEqual([
      'components.Vibration.Sensor: "Vibration.Sensor" is not a valid component name: use lower-case letters, digits, - and _, starting with a letter or digit, at most 63 characters',
      `components.s${'x'.repeat(63)}: "s${'x'.repeat(63)}" is not a valid component name: use lower-case letters, digits, - and _, starting with a letter or digit, at most 63 characters`,
    ]);
  });

  it('reads a process component, which needs process.run and takes no image settings', () => {
    expect(
      spec({ process: { run: 'python3 app.py', startup: 'test -f app.py', cwd: '/opt/app', installTimeout: '10m' } }),
    ).toMatchObject({
      runtime: 'process',
      process: { run: 'python3 app.py', startup: 'test -f app.py', cwd: '/opt/app' },
      timeouts: { installMs: 600_000, shutdownMs: 15_000 },
    });
    expect(
      check({ sensor: { process: { install: 'npm ci' }, command: ['node'], pullPolicy: 'always', network: 'bridge' } }).problems,
    ).toEqual([
      'components.sensor.command: only for image components; a process component runs process.run',
      'components.sensor.pullPolicy: only for image components; a process component runs process.run',
      'components.sensor.network: only for image components; a process component runs process.run',
      'components.sensor.process.run: required (the command that runs the component)',
    ]);
  });

  it('fills in the defaults of an image component', () => {
    expect(spec({ image: 'registry.local/sensor:1' })).toEqual({
      name: 'sensor',
      version: '',
      runtime: 'docker',
      image: 'registry.local/sensor:1',
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
    });
  });

  it('reads what the operator set instead of the defaults', () => {
    expect(
      spec({
        image: 'x',
        restart: { policy: 'on-failure', onConfigChange: true },
        pullPolicy: 'never',
        network: 'bridge',
        shutdownTimeout: '0s',
        resources: { memory: '1.5Gi', cpus: 2 },
        health: { startupTimeout: '2m', tcp: '8080', interval: '250ms' },
      }),
    ).toMatchObject({
      restart: { policy: 'on-failure', onConfigChange: true },
      pullPolicy: 'never',
      network: 'bridge',
      timeouts: { shutdownMs: 0 },
      resources: { memoryBytes: 1.5 * 2 ** 30, cpus: 2 },
      health: { startupTimeoutMs: 120_000, check: { tcp: { host: '127.0.0.1', port: 8080 }, intervalMs: 250 } },
    });
  });

  it('reads a health check as a command or as host:port', () => {
    expect(spec({ image: 'x', health: { command: ['curl', '-f', 'localhost:8080/healthz'] } }).health).toEqual({
      startupTimeoutMs: 120_000,
      check: { command: ['curl', '-f', 'localhost:8080/healthz'], intervalMs: 1_000 },
    });
    expect(spec({ image: 'x', health: { tcp: 'plc.local:502' } }).health.check?.tcp).toEqual({ host: 'plc.local', port: 502 });
    expect(spec({ image: 'x', health: { tcp: '[::1]:9000' } }).health.check?.tcp).toEqual({ host: '::1', port: 9000 });
  });

  it('refuses a bad health check', () => {
    expect(
      check({ sensor: { image: 'x', health: { tcp: 'localhost', interval: '0s', startupTimeout: '2 min' } } }).problems,
    ).toEqual([
      'components.sensor.health.startupTimeout: "2 min" is not a duration (use 500ms, 30s, 5m, 1h)',
      'components.sensor.health.interval: must be longer than 0',
      'components.sensor.health.tcp: "localhost" is not a port or host:port (e.g. 8080 or 127.0.0.1:8080)',
    ]);
    expect(check({ sensor: { image: 'x', health: { tcp: ':0', command: ['true'] } } }).problems).toEqual([
      'components.sensor.health.tcp: ":0" is not a port or host:port (e.g. 8080 or 127.0.0.1:8080)',
      'components.sensor.health: give either command or tcp as the health check, not both',
    ]);
  });

  it('refuses a policy it does not know, with the likely one', () => {
    expect(check({ sensor: { image: 'x', restart: { policy: 'on_failure' }, pullPolicy: 'IfNotPresent' } }).problems).toEqual([
      'components.sensor.restart.policy: must be always, on-failure or never, got "on_failure" (did you mean "on-failure"?)',
      'components.sensor.pullPolicy: must be if-not-present, always or never, got "IfNotPresent" (did you mean "if-not-present"?)',
    ]);
  });

  it("refuses a memory limit that is not a quantity or below Docker's minimum, and cpus of 0 or less", () => {
    expect(
      check({
        a: { image: 'x', resources: { memory: '128MB', cpus: 0 } },
        b: { image: 'x', resources: { memory: '4Mi', cpus: -1 } },
      }).problems,
    ).toEqual([
      'components.a.resources.memory: "128MB" is not a quantity',
      'components.a.resources.cpus: must be more than 0, got 0',
      "components.b.resources.memory: 4Mi is below Docker's minimum of 6Mi",
      'components.b.resources.cpus: must be more than 0, got -1',
    ]);
  });

  it('keeps the env names a shell can use, and LICHEN_ for Lichen', () => {
    expect(spec({ image: 'x', env: { SAMPLE_HZ: 100, _debug: 'yes' } }).env).toEqual({ SAMPLE_HZ: '100', _debug: 'yes' });
    expect(
      check({ sensor: { image: 'x', env: { 'SAMPLE-HZ': '1', '9LIVES': '1', LICHEN_NATS_URL: 'nats://x' } } }).problems,
    ).toEqual([
      'components.sensor.env.SAMPLE-HZ: "SAMPLE-HZ" is not a valid variable name (letters, digits and _, not starting with a digit)',
      'components.sensor.env.9LIVES: "9LIVES" is not a valid variable name (letters, digits and _, not starting with a digit)',
      'components.sensor.env.LICHEN_NATS_URL: LICHEN_ is reserved: Lichen sets LICHEN_NATS_URL, LICHEN_COMPONENT, ... for the component',
    ]);
  });

  it('checks each permission subject with its index', () => {
    expect(
      check({ sensor: { image: 'x', permissions: { publish: ['data.vibration.>', 'data..x'], subscribe: ['lichen.>.config'] } } })
        .problems,
    ).toEqual([
      'components.sensor.permissions.publish[1]: "data..x" is not a valid subject filter: it has an empty token (leading, trailing or double dot)',
      'components.sensor.permissions.subscribe[0]: "lichen.>.config" is not a valid subject filter: > must be the last token',
    ]);
  });

  it('takes hard and soft dependencies only', () => {
    expect(check({ a: { image: 'x', dependsOn: { b: 'required' } }, b: { image: 'x' } }).problems).toEqual([
      'components.a.dependsOn.b: must be hard or soft, got "required"',
    ]);
  });

  it('refuses durations it cannot read and a network name Docker would refuse', () => {
    expect(
      check({
        sensor: { image: 'x', shutdownTimeout: '15', network: 'my net' },
        p: { process: { run: 'x', installTimeout: 'forever' } },
      }).problems,
    ).toEqual([
      'components.sensor.network: "my net" is not a network (host, bridge, none or a network\'s name)',
      'components.sensor.shutdownTimeout: "15" is not a duration (use 500ms, 30s, 5m, 1h)',
      'components.p.process.installTimeout: "forever" is not a duration (use 500ms, 30s, 5m, 1h)',
    ]);
  });
});
