import type { Logger } from '@lichen/logging';
import { BusAuthorityError } from './bus-authority.error.js';
import type { BusAuthority, ViolationCounts } from './bus-authority.port.js';
import type { BusUser } from './bus-user.js';
import type { PasswordSealer } from './password-sealer.js';
import type { UsersTarget } from './nats-users-file.js';
import { userProblems } from './user-rules.js';
import { natsUsersConfig } from './users-config.js';
import type { GroupStore, SealedUser, UserGroups } from './users-store.js';

export interface ManagedBusAuthorityOptions {
  /** Lichen's own users (the runtime's, the operator's): always there, their names reserved. */
  hostUsers: readonly BusUser[];
  store: GroupStore;
  sealer: PasswordSealer;
  target: UsersTarget;
  violations?: { of(user: string): ViolationCounts };
  logger: Logger;
}

/**
 * The users of the NATS that Lichen runs: Lichen's own and every owner's group, written as one users file that
 * NATS checks and reloads. One change reaches NATS at a time; changes asked for while one is under way go
 * together in the next. Groups are kept in the store once NATS has them, so that a restarted Lichen starts NATS
 * with them and running components log in again with what they were given.
 */
export class ManagedBusAuthority implements BusAuthority {
  readonly enforced = true;
  #host: readonly SealedUser[] = [];
  #applied: UserGroups = new Map();
  /** The users file NATS has. */
  #file: string | undefined;
  /** Groups asked for and not yet in NATS, by owner: the next change takes all of them. */
  readonly #wanted = new Map<string, readonly BusUser[]>();
  #running: Promise<void> | undefined;
  #next: Promise<void> | undefined;

  private constructor(private readonly options: ManagedBusAuthorityOptions) {}

  /** Loads the groups kept from the last run and writes the users file, before NATS starts. */
  static async open(options: ManagedBusAuthorityOptions): Promise<ManagedBusAuthority> {
    const authority = new ManagedBusAuthority(options);
    await authority.#load();
    return authority;
  }

  async setUsers(owner: string, users: readonly BusUser[]): Promise<void> {
    this.#check(owner, users);
    this.#wanted.set(owner, structuredClone(users));
    return this.#schedule();
  }

  violations(user: string): ViolationCounts {
    return this.options.violations?.of(user) ?? { publish: 0, subscribe: 0 };
  }

  async #load(): Promise<void> {
    const { hostUsers, sealer, logger } = this.options;
    this.#host = await Promise.all(hostUsers.map((user) => seal(sealer, user)));
    const kept = this.#kept();
    try {
      await this.#write(kept);
    } catch (error) {
      if (kept.size === 0) throw error;
      // The device must come up even when what it kept is unusable; the owners set their users again.
      logger.error(
        { reason: (error as Error).message },
        'NATS refuses the bus users kept from the last run: starting without them',
      );
      await this.#write(new Map());
    }
  }

  #kept(): UserGroups {
    try {
      return this.options.store.load();
    } catch (error) {
      this.options.logger.error(
        { reason: (error as Error).message },
        'cannot read the bus users kept from the last run: starting without them',
      );
      return new Map();
    }
  }

  #check(owner: string, users: readonly BusUser[]): void {
    const problems = userProblems(owner, users);
    if (problems.length) {
      const said = problems.map((problem) => `${problem.path}: ${problem.reason}`).join('; ');
      throw new BusAuthorityError('BUS_USER_INVALID', `the bus users of ${owner} are invalid: ${said}`, { violations: problems });
    }
    const holders = this.#holders();
    const clashes = users.filter((user) => (holders.get(user.name) ?? owner) !== owner);
    if (clashes.length) {
      const named = clashes.map((user) => `"${user.name}" (taken by ${holders.get(user.name)})`).join(', ');
      throw new BusAuthorityError(
        'BUS_USER_CLASH',
        `${owner} cannot have the bus users ${named}: a user name is unique on the bus`,
      );
    }
  }

  /** Who holds each user name: Lichen itself, or the owner whose group, as last asked for, has it. */
  #holders(): Map<string, string> {
    const holders = new Map(this.#host.map((user) => [user.name, 'Lichen itself']));
    // Later entries win: a group asked for replaces the one NATS has.
    const groups = new Map<string, readonly { name: string }[]>([...this.#applied, ...this.#wanted]);
    for (const [owner, group] of groups) for (const user of group) holders.set(user.name, owner);
    return holders;
  }

  #schedule(): Promise<void> {
    this.#next ??= (async () => {
      await this.#running?.catch(() => undefined);
      this.#next = undefined;
      this.#running = this.#apply(new Map(this.#wanted));
      await this.#running;
    })();
    return this.#next;
  }

  async #apply(batch: ReadonlyMap<string, readonly BusUser[]>): Promise<void> {
    try {
      const groups = new Map(this.#applied);
      for (const [owner, users] of batch) {
        const sealed = await Promise.all(users.map((user) => seal(this.options.sealer, user, this.#sealedUser(user.name))));
        if (sealed.length) groups.set(owner, sealed);
        else groups.delete(owner);
      }
      if (await this.#write(groups)) this.options.store.save(groups);
    } finally {
      for (const [owner, users] of batch) if (this.#wanted.get(owner) === users) this.#wanted.delete(owner);
    }
  }

  #sealedUser(name: string): SealedUser | undefined {
    for (const group of this.#applied.values()) {
      const found = group.find((user) => user.name === name);
      if (found) return found;
    }
    return undefined;
  }

  /** Has NATS take these groups, unless it has them already (a reload checks every client again); true when it took them. */
  async #write(groups: UserGroups): Promise<boolean> {
    const file = natsUsersConfig([...this.#host, ...[...groups.values()].flat()]);
    const changed = file !== this.#file;
    if (changed) await this.options.target.apply(file);
    this.#file = file;
    this.#applied = groups;
    return changed;
  }
}

async function seal(sealer: PasswordSealer, user: BusUser, previous?: SealedUser): Promise<SealedUser> {
  const { password, passwordHash, ...rest } = user;
  // A hash made elsewhere is already what NATS checks; it is its own digest (no secret in it).
  if (passwordHash !== undefined) return { ...rest, password: passwordHash, digest: `hash:${passwordHash}` };
  const sealed = await sealer.seal(password ?? '', previous && { hash: previous.password, digest: previous.digest });
  return { ...rest, password: sealed.hash, digest: sealed.digest };
}
