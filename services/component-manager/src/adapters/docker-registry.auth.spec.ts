import { describe, expect, it } from 'vitest';
import { authFromDockerConfig, registryHost } from './docker-registry.auth.js';

const basic = (user: string, password: string) => Buffer.from(`${user}:${password}`).toString('base64');

describe('registryHost', () => {
  it.each([
    ['redis', 'docker.io'],
    ['library/redis:7', 'docker.io'],
    ['acme/sensor:1.2.0', 'docker.io'],
    ['index.docker.io/acme/sensor', 'docker.io'],
    ['registry.local/vibration-sensor:1.2.0', 'registry.local'],
    ['127.0.0.1:5101/app:1', '127.0.0.1:5101'],
    ['localhost/app', 'localhost'],
    ['ghcr.io/acme/app@sha256:abc', 'ghcr.io'],
  ])('%s comes from %s', (image, host) => {
    expect(registryHost(image)).toBe(host);
  });
});

describe('authFromDockerConfig', () => {
  it('decodes the entry of the image registry, a password may hold colons', () => {
    const config = { auths: { 'registry.local': { auth: basic('edge', 'p:w') }, other: { auth: basic('x', 'y') } } };
    expect(authFromDockerConfig(config, 'registry.local/app:1')).toEqual({
      username: 'edge',
      password: 'p:w',
      serveraddress: 'registry.local',
    });
  });

  it('finds Docker Hub under the key docker login writes', () => {
    const config = { auths: { 'https://index.docker.io/v1/': { auth: basic('hub', 'secret') } } };
    expect(authFromDockerConfig(config, 'acme/app')).toMatchObject({
      username: 'hub',
      serveraddress: 'https://index.docker.io/v1/',
    });
  });

  it('gives nothing for another registry, a helper-only entry or no file content', () => {
    expect(authFromDockerConfig({ auths: { 'registry.local': { auth: basic('a', 'b') } } }, 'ghcr.io/app')).toBeUndefined();
    expect(authFromDockerConfig({ auths: { 'ghcr.io': {} }, credsStore: 'desktop' }, 'ghcr.io/app')).toBeUndefined();
    expect(authFromDockerConfig(null, 'ghcr.io/app')).toBeUndefined();
  });
});
