import { describe, expect, it } from 'vitest';
import { closestName, didYouMean } from './closest-name.js';

const componentFields = [
  'version',
  'image',
  'command',
  'process',
  'dependsOn',
  'env',
  'config',
  'resources',
  'restart',
  'health',
  'permissions',
  'pullPolicy',
  'network',
  'shutdownTimeout',
];

describe('closestName', () => {
  it.each([
    ['imagee', 'image'],
    ['iamge', 'image'],
    ['depends_on', 'dependsOn'],
    ['depends-on', 'dependsOn'],
    ['pull_policy', 'pullPolicy'],
    ['Image', 'image'],
    ['enviroment', undefined],
    ['environment', undefined],
    ['ports', undefined],
  ])('suggests for %s: %s', (name, expected) => {
    expect(closestName(name, componentFields)).toBe(expected);
  });

  it('keeps short names to one edit, so "cwd" does not become "env"', () => {
    expect(closestName('cwd', ['env', 'run'])).toBeUndefined();
    expect(closestName('en', ['env', 'run'])).toBe('env');
  });

  it('words the hint, or gives nothing', () => {
    expect(didYouMean('imagee', componentFields)).toBe(' (did you mean "image"?)');
    expect(didYouMean('volumes', componentFields)).toBe('');
  });
});
