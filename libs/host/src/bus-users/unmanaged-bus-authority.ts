import type { Logger } from '@lichen/logging';
import type { BusAuthority, ViolationCounts } from './bus-authority.port.js';
import type { BusUser } from './bus-user.js';

/**
 * The bus authority on a NATS the operator named (LICHEN_NATS_URL): Lichen does not manage that server's users,
 * so asking for users changes nothing, said once.
 */
export class UnmanagedBusAuthority implements BusAuthority {
  readonly enforced = false;
  #warned = false;

  constructor(private readonly logger: Logger) {}

  async setUsers(owner: string, _users: readonly BusUser[]): Promise<void> {
    if (this.#warned) return;
    this.#warned = true;
    this.logger.warn(
      { owner },
      'bus permissions are not enforced: Lichen does not manage the users of the NATS server at LICHEN_NATS_URL',
    );
  }

  violations(_user: string): ViolationCounts {
    return { publish: 0, subscribe: 0 };
  }
}
