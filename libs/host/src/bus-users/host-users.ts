import { randomBytes } from 'node:crypto';
import { readOperatorCredentials, Secret, writeOperatorCredentials } from '@lichen/config';
import type { BusUser } from './bus-user.js';

/** The user the runtime process logs in as. */
export const RUNTIME_USER = 'lichen';
/** The user the operator's `lichen` command logs in as. */
export const OPERATOR_USER = 'operator';

export interface HostLogins {
  /** Lichen's own users, both allowed every subject. */
  users: BusUser[];
  /** How the runtime process logs in. */
  runtime: { user: string; pass: Secret };
}

/**
 * Lichen's own users on the NATS it runs. The runtime's password is new at every start: Lichen starts that NATS
 * with itself, so nothing else needs it. The operator's is made once and kept in
 * `<dataDir>/operator-credentials.json` (0600), where the `lichen` command finds it.
 */
export function hostLogins(dataDir: string): HostLogins {
  const runtime = randomPassword();
  let operator = readOperatorCredentials(dataDir);
  if (!operator || operator.user === RUNTIME_USER) {
    operator = { user: OPERATOR_USER, password: new Secret(randomPassword()) };
    writeOperatorCredentials(dataDir, operator);
  }
  return {
    users: [
      { name: RUNTIME_USER, password: runtime },
      { name: operator.user, password: operator.password.reveal() },
    ],
    runtime: { user: RUNTIME_USER, pass: new Secret(runtime) },
  };
}

function randomPassword(): string {
  return randomBytes(24).toString('base64url');
}
