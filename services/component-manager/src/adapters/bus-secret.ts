import { createHmac, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The device's secret for component passwords: 32 random bytes made once, in a file only Lichen's user can
 * read (`<dataDir>/component-manager/bus-secret`). Returns the keyed hash component passwords are derived with.
 */
export function busSecret(dataDir: string): (text: string) => string {
  const dir = join(dataDir, 'component-manager');
  const file = join(dir, 'bus-secret');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  let key: Buffer;
  try {
    key = readFileSync(file);
  } catch {
    key = randomBytes(32);
    // `wx`: of two managers starting at once on the same folder, the second reads what the first wrote.
    try {
      writeFileSync(file, key, { mode: 0o600, flag: 'wx' });
    } catch {
      key = readFileSync(file);
    }
  }
  return (text) => createHmac('sha256', key).update(text).digest('base64url');
}
