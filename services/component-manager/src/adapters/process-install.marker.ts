import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';

/**
 * Remembers that an install script succeeded, so it runs once per version: the marker holds a hash of the
 * version and the script, and a different one (a new version, an edited script) runs it again.
 */
export class InstallMarker {
  readonly #value: string;

  constructor(
    private readonly path: string,
    version: string,
    script: string,
  ) {
    this.#value = createHash('sha256').update(version).update('\0').update(script).digest('hex');
  }

  async isSet(): Promise<boolean> {
    return readFile(this.path, 'utf8').then(
      (text) => text.trim() === this.#value,
      () => false,
    );
  }

  async set(): Promise<void> {
    await writeFile(this.path, `${this.#value}\n`);
  }
}
