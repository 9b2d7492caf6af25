import { describe, expect, it } from 'vitest';
import { credentialsInServers, redactServer, redactServers } from './server-urls.js';

describe('server URLs', () => {
  it('strips userinfo of every form and leaves clean addresses alone', () => {
    expect(redactServer('nats://lichen:hunter2@127.0.0.1:4222')).toBe('nats://127.0.0.1:4222');
    expect(redactServer('tls://s3cr3t-token@nats.local:4222')).toBe('tls://nats.local:4222');
    expect(redactServer('nats://127.0.0.1:4222')).toBe('nats://127.0.0.1:4222');
    expect(redactServer('127.0.0.1:4222')).toBe('127.0.0.1:4222');
    expect(redactServers(['nats://a:b@h1:1', 'h2:2'])).toEqual(['nats://h1:1', 'h2:2']);
  });

  it('reads a user and password, or a token, from the first URL that has them', () => {
    expect(credentialsInServers('nats://lichen:p%40ss%3Aword@127.0.0.1:4222')).toEqual({ user: 'lichen', pass: 'p@ss:word' });
    expect(credentialsInServers(['nats://127.0.0.1:1', 'nats://tok@127.0.0.1:2'])).toEqual({ token: 'tok' });
    expect(credentialsInServers('nats://127.0.0.1:4222')).toBeUndefined();
  });
});
