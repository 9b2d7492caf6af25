import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Secret } from './secret.js';

/**
 * How the operator logs in to the NATS that Lichen runs itself: `<dataDir>/operator-credentials.json`, written once
 * by `lichen run` (mode 0600), read by the `lichen` command so that no password is ever typed by hand.
 */
export interface OperatorCredentials {
  user: string;
  password: Secret;
}

export const OPERATOR_CREDENTIALS_FILE = 'operator-credentials.json';

export function writeOperatorCredentials(dataDir: string, credentials: OperatorCredentials): void {
  const file = join(dataDir, OPERATOR_CREDENTIALS_FILE);
  const text = `${JSON.stringify({ user: credentials.user, password: credentials.password.reveal() }, null, 2)}\n`;
  // A leftover temporary file would keep its own mode: the new one must be made 0600.
  rmSync(`${file}.tmp`, { force: true });
  writeFileSync(`${file}.tmp`, text, { mode: 0o600, flag: 'wx' });
  renameSync(`${file}.tmp`, file);
}

/** The credentials kept in `dataDir`; undefined when there are none or they cannot be read. */
export function readOperatorCredentials(dataDir: string): OperatorCredentials | undefined {
  const file = join(dataDir, OPERATOR_CREDENTIALS_FILE);
  if (!existsSync(file)) return undefined;
  try {
    const { user, password } = JSON.parse(readFileSync(file, 'utf8')) as { user?: unknown; password?: unknown };
    if (typeof user !== 'string' || typeof password !== 'string' || !user || !password) return undefined;
    return { user, password: new Secret(password) };
  } catch {
    return undefined;
  }
}
