import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The full path of `program` on the PATH (or in /usr/sbin and /sbin, where Debian puts daemons), if any. */
export function findCommand(program: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), '/usr/sbin', '/sbin'];
  return dirs.map((dir) => join(dir, program)).find((path) => existsSync(path));
}

/**
 * The full path of a program a test needs. A missing one fails the test, naming the Debian package that installs
 * it: a test never skips itself because a tool is absent (`npm test` installs them).
 */
export function requireCommand(program: string, debianPackage: string): string {
  const path = findCommand(program);
  if (!path) throw new Error(`${program} not found: apt-get install ${debianPackage}`);
  return path;
}
