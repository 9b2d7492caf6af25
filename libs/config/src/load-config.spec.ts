import { inspect } from 'node:util';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { LichenError } from '@lichen/errors';
import { duration, flag, port, secret, url } from './fields.js';
import { ConfigError, environmentVariable, loadConfig } from './load-config.js';

const shape = {
  metricsPort: port().default(9100),
  natsUrl: url('nats').default('nats://127.0.0.1:4222'),
  heartbeatInterval: duration().default(30_000),
  scrapeNats: flag().default(true),
  redisPassword: secret().optional(),
};

describe('loadConfig', () => {
  it('names variables after keys', () => {
    expect(environmentVariable('heartbeatInterval')).toBe('LICHEN_HEARTBEAT_INTERVAL');
  });

  it('applies defaults and converts values', () => {
    const config = loadConfig(shape, { LICHEN_HEARTBEAT_INTERVAL: '1.5s', LICHEN_SCRAPE_NATS: 'no' });
    expect(config).toMatchObject({ metricsPort: 9100, heartbeatInterval: 1500, scrapeNats: false });
  });

  it('reports every bad variable at once, naming each', () => {
    const error = (() => {
      try {
        loadConfig(shape, { LICHEN_METRICS_PORT: '99999', LICHEN_NATS_URL: 'http://x', LICHEN_HEARTBEAT_INTERVAL: 'soon' });
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(3);
    expect(problems.join('\n')).toMatch(/LICHEN_METRICS_PORT: expected a port from 1 to 65535 \(given "99999"\)/);
    expect(problems.join('\n')).toMatch(/LICHEN_NATS_URL: expected a URL \(nats\)/);
    expect(problems.join('\n')).toMatch(/LICHEN_HEARTBEAT_INTERVAL: expected a duration/);
  });

  it('is a LichenError whose violations name each variable', () => {
    const error = (() => {
      try {
        loadConfig(shape, { LICHEN_METRICS_PORT: 'x' });
      } catch (caught) {
        return caught as ConfigError;
      }
    })();
    expect(error).toBeInstanceOf(LichenError);
    expect(error).toMatchObject({ code: 'CONFIG_INVALID', kind: 'invalid-argument' });
    expect(error?.violations).toEqual([{ path: 'LICHEN_METRICS_PORT', reason: 'expected a port number (given "x")' }]);
  });

  it('returns a frozen object', () => {
    const config = loadConfig(shape, {});
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('keeps secrets out of logs and JSON', () => {
    const config = loadConfig(shape, { LICHEN_REDIS_PASSWORD: 'hunter2' });
    expect(config.redisPassword?.reveal()).toBe('hunter2');
    expect(JSON.stringify(config)).not.toContain('hunter2');
    expect(inspect(config)).not.toContain('hunter2');
  });

  it('accepts a required field missing as an error', () => {
    expect(() => loadConfig({ deviceId: z.string() }, {})).toThrow(/LICHEN_DEVICE_ID/);
  });
});
