import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Violation } from '@lichen/errors';
import { BusAuthorityError } from './bus-authority.error.js';
import type { BusUser } from './bus-user.js';
import { OPERATOR_USER, RUNTIME_USER } from './host-users.js';
import { isUserName, USER_NAME_RULE } from './user-rules.js';

/** One file of the service users' folder: the user's name, and what the file holds, its password. */
export interface ServiceUserFile {
  name: string;
  content: string;
}

/**
 * Service users: Lichen processes that log in from elsewhere to the NATS whose users this one writes (the Helm
 * chart's health exporter pods), with every subject, as Lichen's own users. One file per user, the way Kubernetes
 * mounts a Secret: its name is the user, its content the password byte for byte (the other process is given the
 * same value, trailing newline included). Every problem is listed at once.
 */
export function serviceUsersFrom(files: readonly ServiceUserFile[]): BusUser[] {
  const problems: Violation[] = files.flatMap(({ name, content }) => {
    const found: Violation[] = [];
    if (name === RUNTIME_USER || name === OPERATOR_USER) found.push({ path: name, reason: "is one of Lichen's own users" });
    else if (!isUserName(name)) found.push({ path: name, reason: USER_NAME_RULE });
    if (!content) found.push({ path: name, reason: 'is empty: the file holds the password' });
    return found;
  });
  if (problems.length) {
    const said = problems.map((problem) => `${problem.path}: ${problem.reason}`).join('; ');
    throw new BusAuthorityError('BUS_USER_INVALID', `the service users are invalid: ${said}`, { violations: problems });
  }
  return files.map(({ name, content }) => ({ name, password: content }));
}

/**
 * The service users in `dir` (LICHEN_NATS_SERVICE_USERS_DIR). Entries whose name starts with a dot are not users:
 * a mounted Secret keeps its files under `..data` and a timestamped folder, and shows each key as a link to them.
 */
export function readServiceUsers(dir: string): BusUser[] {
  let files: ServiceUserFile[];
  try {
    files = readdirSync(dir)
      .filter((name) => !name.startsWith('.') && statSync(join(dir, name)).isFile())
      .sort()
      .map((name) => ({ name, content: readFileSync(join(dir, name), 'utf8') }));
  } catch (error) {
    throw new BusAuthorityError('BUS_USER_INVALID', `cannot read the service users in ${dir}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return serviceUsersFrom(files);
}
