import type { BusAuthority, BusUser } from '@lichen/host';
import type { BusLogin, BusUsersPort } from '../domain/access/bus-access.js';

/** The component manager's logins as the host's bus authority takes them: one group, owned by this service. */
export function busUsersOf(authority: BusAuthority): BusUsersPort {
  return {
    enforced: authority.enforced,
    setUsers: (logins: readonly BusLogin[]) => authority.setUsers('component-manager', logins.map(toBusUser)),
  };
}

function toBusUser(login: BusLogin): BusUser {
  return {
    name: login.name,
    ...(login.passwordHash !== undefined ? { passwordHash: login.passwordHash } : { password: login.password }),
    // Replies to requests it serves are allowed whatever `publish` says, as every NATS service needs.
    permissions: { publish: { allow: [...login.publish] }, subscribe: { allow: [...login.subscribe] }, allowResponses: true },
    // A component is a NATS client; a client device comes in through the MQTT listener only.
    connectionTypes: login.kind === 'device' ? ['MQTT'] : ['STANDARD'],
  };
}
