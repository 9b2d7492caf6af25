import type { Violation } from '@lichen/errors';
import type { BusUser, ConnectionType } from './bus-user.js';

const connectionTypes: readonly ConnectionType[] = ['STANDARD', 'MQTT', 'WEBSOCKET', 'LEAFNODE'];

/** What a user name must be, said to whoever gave one. */
export const USER_NAME_RULE = 'expected 1 to 128 characters, without whitespace, quotes or backslashes';

/** A name nats-server writes unescaped between quotes in its log lines, so that a violation line names its user plainly. */
export function isUserName(name: string): boolean {
  return /^[\x21-\x7e\u00a0-\uffff]{1,128}$/.test(name) && !/["\\]/.test(name);
}

/**
 * What is wrong with a group of users before it goes near NATS. Names are held to what nats-server writes
 * unescaped between quotes in its log (no whitespace, quotes or backslashes), so that a violation line names its
 * user plainly. Subjects are left to `nats-server -t`, which knows them best.
 */
export function userProblems(owner: string, users: readonly BusUser[]): Violation[] {
  const problems: Violation[] = [];
  if (!owner.trim()) problems.push({ path: 'owner', reason: 'expected a name' });
  const seen = new Set<string>();
  users.forEach((user, index) => {
    const at = (field: string) => `users[${index}].${field}`;
    if (!isUserName(user.name)) {
      problems.push({ path: at('name'), reason: USER_NAME_RULE });
    } else if (seen.has(user.name)) {
      problems.push({ path: at('name'), reason: `"${user.name}" is given twice` });
    }
    seen.add(user.name);
    const given = [user.password, user.passwordHash].filter((secret) => typeof secret === 'string' && secret.length > 0);
    if (given.length !== 1) {
      problems.push({ path: at('password'), reason: 'expected a password or a passwordHash, one of them' });
    } else if (user.passwordHash !== undefined && !/^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/.test(user.passwordHash)) {
      problems.push({ path: at('passwordHash'), reason: 'expected a bcrypt hash ($2a$, $2b$ or $2y$, 60 characters)' });
    }
    for (const type of user.connectionTypes ?? []) {
      if (!connectionTypes.includes(type)) {
        problems.push({ path: at('connectionTypes'), reason: `expected one of ${connectionTypes.join(', ')}, got "${type}"` });
      }
    }
  });
  return problems;
}
