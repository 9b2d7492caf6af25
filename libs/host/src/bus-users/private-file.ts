import { renameSync, rmSync, writeFileSync } from 'node:fs';

/**
 * Replaces `file` with `text` readable by Lichen's user only (0600), atomically: a reader (nats-server at a reload
 * or a restart, the CLI) sees the old file or the new one, never half of one.
 */
export function writePrivateFile(file: string, text: string): void {
  const temporary = `${file}.tmp`;
  // The mode applies only to a file it creates: not to one a crash left behind.
  rmSync(temporary, { force: true });
  writeFileSync(temporary, text, { mode: 0o600 });
  renameSync(temporary, file);
}
