import { describe, expect, it } from 'vitest';
import { BusAuthorityError } from './bus-authority.error.js';
import { serviceUsersFrom } from './service-users.js';

describe('serviceUsersFrom', () => {
  it('makes one user per file, its content the password byte for byte, with no permissions (every subject)', () => {
    expect(
      serviceUsersFrom([
        { name: 'health-exporter', content: 'Zq8pX2' },
        { name: 'sync-agent', content: 'with a newline\n' },
      ]),
    ).toEqual([
      { name: 'health-exporter', password: 'Zq8pX2' },
      { name: 'sync-agent', password: 'with a newline\n' },
    ]);
  });

  it("lists every problem at once: Lichen's own names, names NATS would quote badly, empty passwords", () => {
    let thrown: unknown;
    try {
      serviceUsersFrom([
        { name: 'lichen', content: 'x' },
        { name: 'operator', content: 'x' },
        { name: 'say"hi', content: 'x' },
        { name: 'health-exporter', content: '' },
      ]);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(BusAuthorityError);
    expect((thrown as BusAuthorityError).code).toBe('BUS_USER_INVALID');
    expect((thrown as BusAuthorityError).violations).toEqual([
      { path: 'lichen', reason: "is one of Lichen's own users" },
      { path: 'operator', reason: "is one of Lichen's own users" },
      { path: 'say"hi', reason: 'expected 1 to 128 characters, without whitespace, quotes or backslashes' },
      { path: 'health-exporter', reason: 'is empty: the file holds the password' },
    ]);
    // The message names the files, never a password.
    expect((thrown as Error).message).toMatch(/^the service users are invalid: lichen: is one of Lichen's own users; /);
  });

  it('takes an empty folder as no service users', () => {
    expect(serviceUsersFrom([])).toEqual([]);
  });
});
