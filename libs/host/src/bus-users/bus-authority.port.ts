import type { BusUser } from './bus-user.js';

/** How often one user was refused by the bus since Lichen started. */
export interface ViolationCounts {
  publish: number;
  subscribe: number;
}

/**
 * Who may log in to the device's bus and what each may do there, as services see it (injected as
 * `BUS_AUTHORITY`). Users come in groups, each owned by one caller (a service, by its name), who replaces its
 * whole group at once.
 */
export interface BusAuthority {
  /** False when Lichen does not manage the server's users (an external NATS): `setUsers` then changes nothing. */
  readonly enforced: boolean;
  /**
   * Replaces every user of `owner` with `users` (none removes the group) and resolves once NATS applies them:
   * connected clients are held to their new permissions, a removed user is disconnected. Rejects with a
   * `BusAuthorityError` when a name is taken by another owner's user, or NATS refuses the users; nothing
   * changes then.
   */
  setUsers(owner: string, users: readonly BusUser[]): Promise<void>;
  /** How often `user` was refused a publish or a subscription since Lichen started (zero when not watched). */
  violations(user: string): ViolationCounts;
}
