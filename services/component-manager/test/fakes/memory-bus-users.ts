import type { BusUsersPort, BusLogin } from '../../src/domain/access/bus-access.js';

/** The bus's user list in memory: what the component manager last set, and how often. */
export class MemoryBusUsers implements BusUsersPort {
  readonly enforced = true;
  users: readonly BusLogin[] = [];
  changes = 0;
  /** Makes NATS refuse a list of users, as it refuses a file it cannot read. */
  refuse: ((users: readonly BusLogin[]) => boolean) | undefined;

  async setUsers(users: readonly BusLogin[]): Promise<void> {
    if (this.refuse?.(users)) throw new Error('nats-server refused the users');
    this.users = users;
    this.changes++;
  }

  passwordOf(component: string): string | undefined {
    return this.users.find((user) => user.kind === 'component' && user.owner === component)?.password;
  }
}
