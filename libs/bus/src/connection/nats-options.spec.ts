import { nkeys } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import { Secret } from '@lichen/config';
import { natsOptions } from './nats-options.js';

describe('natsOptions', () => {
  it('reveals a password or a token only into the client options, with clean server addresses', () => {
    const withPassword = natsOptions({
      servers: 'nats://127.0.0.1:4222',
      name: 'a',
      auth: { user: 'lichen', pass: new Secret('p') },
    });
    expect(withPassword).toMatchObject({ servers: ['nats://127.0.0.1:4222'], name: 'a', user: 'lichen', pass: 'p' });
    expect(natsOptions({ servers: 'nats://h:1', name: 'a', auth: { token: new Secret('t') } })).toMatchObject({ token: 't' });
  });

  it('builds an nkey authenticator from a seed', () => {
    const user = nkeys.createUser();
    const seed = new Secret(new TextDecoder().decode(user.getSeed()));
    const options = natsOptions({ servers: 'nats://h:1', name: 'a', auth: { nkeySeed: seed } });
    const authenticator = options.authenticator as (nonce?: string) => { nkey?: string };
    expect(authenticator('nonce').nkey).toBe(user.getPublicKey());
    expect(options).not.toHaveProperty('pass');
  });

  it('takes credentials out of a server URL when no auth is given, and keeps them out of the addresses', () => {
    const options = natsOptions({ servers: ['nats://lichen:s3cret@127.0.0.1:4222'], name: 'a' });
    expect(options).toMatchObject({ servers: ['nats://127.0.0.1:4222'], user: 'lichen', pass: 's3cret' });
  });

  it('asks for TLS with the files given, and retries forever', () => {
    const options = natsOptions({ servers: 'tls://h:1', name: 'a', tls: { caFile: '/ca.pem' } });
    expect(options).toMatchObject({ tls: { caFile: '/ca.pem' }, maxReconnectAttempts: -1 });
  });
});
