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
  /** The NATS configuration to check (`nats-server -t -c`): the whole one when Lichen writes it, else this file. */
  configFile: string;
  command: string;
  nats: ReloadableNats;
  reloadTimeoutMs?: number;
}

/** The users file of a NATS whose users Lichen manages: the only code that has nats-server check or reload it. */
export class NatsUsersFile implements UsersTarget {
  constructor(private readonly spec: NatsUsersFileSpec) {}

  async apply(text: string): Promise<void> {
    const { file } = this.spec;
    const previous = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
    const change = async () => {
      writePrivateFile(file, text);
      await this.#check();
    };
    try {
      await reloadNats(this.spec.nats, change, this.spec.reloadTimeoutMs);
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
      // No nats-server on this machine: the lichen image has none, its NATS runs in a container of its own. That
      // NATS checks the file itself when it reloads, keeps its users when the file is bad, and says why in its log.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
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
