import { describe, expect, it } from 'vitest';
import { ConfigError, duration, z } from '@lichen/config';
import { loadRuntimeConfig } from './runtime-config.js';
import { defineService } from './service-descriptor.js';

const module = () => ({ module: class {} });
const exporter = defineService({ name: 'exporter', config: { heartbeatInterval: duration().default(30_000) }, module });
const router = defineService({ name: 'router', config: { maxRoutes: z.coerce.number().int().default(100) }, module });

function problems(run: () => unknown): readonly string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadRuntimeConfig', () => {
  it('gives the host and each service its own validated config', () => {
    const config = loadRuntimeConfig([exporter, router], { LICHEN_DEVICE_ID: 'press-7', LICHEN_HEARTBEAT_INTERVAL: '5s' });
    expect(config.host.deviceId).toBe('press-7');
    expect(config.host.natsUrl).toBeUndefined();
    expect(config.services.map(({ descriptor, config }) => [descriptor.name, config])).toEqual([
      ['exporter', { heartbeatInterval: 5_000 }],
      ['router', { maxRoutes: 100 }],
    ]);
  });

  it('lists the problems of the host and of every service at once', () => {
    const listed = problems(() =>
      loadRuntimeConfig([exporter, router], {
        LICHEN_METRICS_PORT: '0',
        LICHEN_HEARTBEAT_INTERVAL: 'soon',
        LICHEN_MAX_ROUTES: 'many',
        LICHEN_NATS_URL: 'nats://nats:4222',
        LICHEN_NATS_USER: 'lichen',
      }),
    );
    expect(listed).toHaveLength(4);
    expect(listed.join('\n')).toMatch(/LICHEN_METRICS_PORT: expected a port/);
    expect(listed.join('\n')).toMatch(/LICHEN_HEARTBEAT_INTERVAL: expected a duration/);
    expect(listed.join('\n')).toMatch(/LICHEN_MAX_ROUTES: /);
    expect(listed.join('\n')).toMatch(/LICHEN_NATS_PASSWORD: required with LICHEN_NATS_USER/);
  });

  it('refuses credentials for a NATS that Lichen runs itself, and two ways to log in', () => {
    expect(problems(() => loadRuntimeConfig([], { LICHEN_NATS_TOKEN: 't' }))).toEqual([
      'LICHEN_NATS_URL: NATS credentials were given but no server to use them with',
    ]);
    const listed = problems(() =>
      loadRuntimeConfig([], { LICHEN_NATS_URL: 'nats://n:4222', LICHEN_NATS_TOKEN: 't', LICHEN_NATS_NKEY_SEED: 's' }),
    );
    expect(listed).toEqual(['LICHEN_NATS_TOKEN, LICHEN_NATS_NKEY_SEED: give one way to log in to NATS, not 2']);
  });

  it('takes the users file of an external NATS with its server and monitoring URL, and no login of the operator', () => {
    const external = {
      LICHEN_NATS_URL: 'nats://nats:4222',
      LICHEN_NATS_MONITOR_URL: 'http://nats:8222',
      LICHEN_NATS_USERS_FILE: '/etc/nats/users/users.conf',
      LICHEN_NATS_LOG_FILE: '/var/log/nats/nats.log',
    };
    expect(loadRuntimeConfig([], external).host).toMatchObject({
      natsUsersFile: '/etc/nats/users/users.conf',
      natsLogFile: '/var/log/nats/nats.log',
    });
    expect(problems(() => loadRuntimeConfig([], { LICHEN_NATS_USERS_FILE: '/u.conf' }))).toEqual([
      'LICHEN_NATS_URL: required with LICHEN_NATS_USERS_FILE (the NATS that includes it)',
      'LICHEN_NATS_MONITOR_URL: required with LICHEN_NATS_USERS_FILE (where Lichen sees NATS reload it)',
    ]);
    expect(problems(() => loadRuntimeConfig([], { ...external, LICHEN_NATS_TOKEN: 't' }))).toEqual([
      'LICHEN_NATS_TOKEN: Lichen logs in as its own user to a NATS whose users file it writes',
    ]);
    expect(problems(() => loadRuntimeConfig([], { LICHEN_NATS_URL: 'nats://n:4222', LICHEN_NATS_LOG_FILE: '/l' }))).toEqual([
      'LICHEN_NATS_USERS_FILE: required with LICHEN_NATS_LOG_FILE (the log is read on a NATS whose users Lichen writes)',
    ]);
  });

  it('takes service users on a NATS whose users Lichen writes, its own or one with a users file', () => {
    const dir = { LICHEN_NATS_SERVICE_USERS_DIR: '/etc/lichen/service-users' };
    expect(loadRuntimeConfig([], dir).host.natsServiceUsersDir).toBe('/etc/lichen/service-users');
    const external = {
      ...dir,
      LICHEN_NATS_URL: 'nats://127.0.0.1:4222',
      LICHEN_NATS_MONITOR_URL: 'http://127.0.0.1:8222',
      LICHEN_NATS_USERS_FILE: '/etc/nats/users/users.conf',
    };
    expect(loadRuntimeConfig([], external).host.natsServiceUsersDir).toBe('/etc/lichen/service-users');
    expect(problems(() => loadRuntimeConfig([], { ...dir, LICHEN_NATS_URL: 'nats://n:4222' }))).toEqual([
      'LICHEN_NATS_USERS_FILE: required with LICHEN_NATS_SERVICE_USERS_DIR and LICHEN_NATS_URL (service users go into the users file Lichen writes)',
    ]);
  });

  it('says when two services would read the same variable', () => {
    const twin = defineService({ name: 'twin', config: { heartbeatInterval: duration().default(1) }, module });
    const clash = defineService({ name: 'clash', config: { deviceId: z.string().default('x') }, module });
    expect(problems(() => loadRuntimeConfig([exporter, twin, clash], {}))).toEqual([
      'LICHEN_HEARTBEAT_INTERVAL: read by both exporter and twin',
      'LICHEN_DEVICE_ID: read by both the runtime host and clash',
    ]);
  });
});
