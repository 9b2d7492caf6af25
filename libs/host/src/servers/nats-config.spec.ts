import { describe, expect, it } from 'vitest';
import { natsServerConfig } from './nats-config.js';

const settings = {
  serverName: 'lichen-press-7',
  client: { host: '127.0.0.1', port: 4222 },
  monitor: { host: '127.0.0.1', port: 8222 },
  jetstream: { storeDir: '/var/lib/lichen/nats' },
};

describe('natsServerConfig', () => {
  it('turns on JetStream with its store, monitoring and a server name', () => {
    expect(natsServerConfig(settings)).toBe(
      [
        '# Written by Lichen from its NATS settings (libs/host/src/servers/nats-config.ts): edit those, not this file.',
        'server_name: "lichen-press-7"',
        'listen: "127.0.0.1:4222"',
        'http: "127.0.0.1:8222"',
        'jetstream {',
        '  store_dir: "/var/lib/lichen/nats"',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('adds a storage bound, the MQTT listener and included files when asked', () => {
    const text = natsServerConfig({
      ...settings,
      jetstream: { ...settings.jetstream, maxFileStoreBytes: 1024 ** 3 },
      mqtt: { host: '0.0.0.0', port: 1883 },
      includes: ['users.conf'],
    });
    expect(text).toContain('  max_file_store: 1073741824\n}');
    expect(text).toContain('mqtt {\n  listen: "0.0.0.0:1883"\n}');
    expect(text.trimEnd().endsWith('include "users.conf"')).toBe(true);
  });

  it('quotes paths so spaces and quotes cannot break the file', () => {
    const text = natsServerConfig({ ...settings, jetstream: { storeDir: '/data/my "store"' } });
    expect(text).toContain('store_dir: "/data/my \\"store\\""');
  });
});
