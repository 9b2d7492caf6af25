import { join } from 'node:path';
import type { Secret } from '@lichen/config';
import type { Logger } from '@lichen/logging';
import { ManagedBusAuthority } from './bus-authority.js';
import { hostLogins } from './host-users.js';
import { NatsUsersFile } from './nats-users-file.js';
import { BcryptSealer } from './password-sealer.js';
import { UsersJsonStore } from './users-store.js';
import { ViolationWatch } from './violation-watch.js';

/** The file the NATS configuration includes, beside it. */
export const USERS_CONF = 'users.conf';

export interface OwnBusUsersOptions {
  dataDir: string;
  /** NATS's folder: its configuration, its log, and the users files beside them. */
  natsDir: string;
  configFile: string;
  logFile: string;
  command: string;
  monitorUrl: string;
  /** The server's process once it runs. */
  pid(): number | undefined;
  logger: Logger;
}

export interface OwnBusUsers {
  authority: ManagedBusAuthority;
  /** How the runtime process logs in. */
  runtimeLogin: { user: string; pass: Secret };
  violations: ViolationWatch;
}

/**
 * Lichen's users on the NATS it runs, set up before that NATS starts: the users file written (Lichen's own users
 * and the groups kept from the last run) and the watch on its log started, so that no violation goes uncounted.
 */
export async function openOwnBusUsers(options: OwnBusUsersOptions): Promise<OwnBusUsers> {
  const { natsDir } = options;
  const logins = hostLogins(options.dataDir);
  const violations = new ViolationWatch(options.logFile);
  const authority = await ManagedBusAuthority.open({
    hostUsers: logins.users,
    store: new UsersJsonStore(join(natsDir, 'users.json')),
    sealer: new BcryptSealer(join(natsDir, 'users.key')),
    target: new NatsUsersFile({
      file: join(natsDir, USERS_CONF),
      configFile: options.configFile,
      command: options.command,
      nats: { pid: options.pid, monitorUrl: options.monitorUrl, logFile: options.logFile },
    }),
    violations,
    logger: options.logger,
  });
  violations.start();
  return { authority, runtimeLogin: logins.runtime, violations };
}
