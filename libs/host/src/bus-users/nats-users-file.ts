import { execFile } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { promisify } from 'node:util';
import { BusAuthorityError } from './bus-authority.error.js';
import { reloadNats, type ReloadableNats } from './nats-reload.js';
import { writePrivateFile } from './private-file.js';

/** Where the users file goes, and the server that takes it. */
export interface UsersTarget {
  /**
   * Puts `text` in place as the users file once nats-server finds its whole configuration valid with it, and has
   * the running server load it; resolves once the server has. On any failure the previous file is back in place
   * and the server keeps the users it had.
   */
  apply(text: string): Promise<void>;
}

export interface NatsUsersFileSpec {
  /** The users file, which the NATS configuration includes. */
  file: string;
  /** The NATS configuration to check (`nats-server -t -c`). */
  configFile: string;
  command: string;
  nats: ReloadableNats;
  reloadTimeoutMs?: number;
}

/** The users file of the NATS Lichen runs: the only code that has nats-server check or reload it. */
export class NatsUsersFile implements UsersTarget {
  constructor(private readonly spec: NatsUsersFileSpec) {}

  async apply(text: string): Promise<void> {
    const { file } = this.spec;
    const previous = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
    writePrivateFile(file, text);
    try {
      await this.#check();
      await reloadNats(this.spec.nats, this.spec.reloadTimeoutMs);
    } catch (error) {
      if (previous === undefined) rmSync(file, { force: true });
      else writePrivateFile(file, previous);
      throw error;
    }
  }

  async #check(): Promise<void> {
    try {
      await promisify(execFile)(this.spec.command, ['-t', '-c', this.spec.configFile]);
    } catch (error) {
      // It says what is wrong and where (`users.conf:3:80: subject "a..b" is not a valid subject`), on stderr.
      const said = String((error as { stderr?: string }).stderr || (error as Error).message).trim();
      throw new BusAuthorityError(
        'BUS_USERS_REFUSED',
        `nats-server refused the bus users: ${said.replace(/^nats-server: /, '')}`,
        {
          cause: error,
        },
      );
    }
  }
}
