import type { BusUsersPort, BusLogin } from '../../src/domain/access/bus-access.js';

/** The bus's user list in memory: what the component manager last set, and how often. */
export class MemoryBusUsers implements BusUsersPort {
  readonly enforced = true;
  users: readonly BusLogin[] = [];
  changes = 0;

  async setUsers(users: readonly BusLogin[]): Promise<void> {
    this.users = users;
    this.changes++;
  }

  passwordOf(component: string): string | undefined {
    return this.users.find((user) => user.kind === 'component' && user.owner === component)?.password;
  }
}
