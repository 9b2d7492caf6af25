import { describe, expect, it } from 'vitest';
import { changedKeys } from './config-diff.js';

describe('changedKeys', () => {
  it('names only the given keys whose values differ from the server', () => {
    const server = { name: 'SPOOL', subjects: ['cloud.out.>'], max_bytes: -1, max_age: 0, storage: 'file' };
    expect(changedKeys({ name: 'SPOOL', subjects: ['cloud.out.>'] }, server)).toEqual([]);
    expect(changedKeys({ name: 'SPOOL', subjects: ['cloud.out.>'], max_bytes: 1024 }, server)).toEqual(['max_bytes']);
    expect(changedKeys({ subjects: ['cloud.out.>', 'x'], description: 'spool' }, server)).toEqual(['subjects', 'description']);
  });

  it('ignores keys given as undefined', () => {
    expect(changedKeys({ max_bytes: undefined }, { max_bytes: -1 })).toEqual([]);
  });
});
