import { join } from 'node:path';
import type { Secret } from '@lichen/config';
import type { Logger } from '@lichen/logging';
import type { BusUser } from './bus-user.js';
import { ManagedBusAuthority } from './bus-authority.js';
import { hostLogins } from './host-users.js';
import type { ReloadableNats } from './nats-reload.js';
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
  /** Lichen processes elsewhere that log in with every subject, as Lichen's own users (LICHEN_NATS_SERVICE_USERS_DIR). */
  serviceUsers?: readonly BusUser[];
  logger: Logger;
}

/** The most of its own NATS's log Lichen keeps: a looping component refused at every publish writes 6 MB/s. */
const NATS_LOG_LIMIT_BYTES = 16 << 20;

export interface OwnBusUsers extends BusUsers {
  violations: ViolationWatch;
}

/**
 * Lichen's users on the NATS it runs, set up before that NATS starts: the users file written (Lichen's own users
 * and the groups kept from the last run) and the watch on its log started, so that no violation goes uncounted.
 */
export async function openOwnBusUsers(options: OwnBusUsersOptions): Promise<OwnBusUsers> {
  const { natsDir, logFile } = options;
  // Lichen's own NATS writes its log where Lichen put it: Lichen keeps it from filling the disk.
  const violations = new ViolationWatch(logFile, { truncateAtBytes: NATS_LOG_LIMIT_BYTES });
  const users = await openBusUsers({
    dataDir: options.dataDir,
    natsDir,
    usersFile: join(natsDir, USERS_CONF),
    configFile: options.configFile,
    command: options.command,
    nats: { pid: () => options.pid(), monitorUrl: options.monitorUrl, logFile },
    violations,
    serviceUsers: options.serviceUsers,
    logger: options.logger,
  });
  return { ...users, violations };
}

export interface BusUsersOptions {
  dataDir: string;
  /** Where Lichen keeps the users between runs (`users.json`) and the key of their digests (`users.key`). */
  natsDir: string;
  /** The users file the NATS configuration includes. */
  usersFile: string;
  /** What `nats-server -t -c` checks before NATS takes the users file. */
  configFile: string;
  command: string;
  nats: ReloadableNats;
  /** The watch on NATS's log, started once the file is written; none when Lichen cannot read that log. */
  violations?: ViolationWatch;
  /** Lichen processes elsewhere that log in with every subject, as Lichen's own users (LICHEN_NATS_SERVICE_USERS_DIR). */
  serviceUsers?: readonly BusUser[];
  logger: Logger;
}

export interface BusUsers {
  authority: ManagedBusAuthority;
  /** How the runtime process logs in. */
  runtimeLogin: { user: string; pass: Secret };
}

/**
 * Lichen's users on a NATS whose users file it writes: the one it runs, or an external one that includes the file
 * (LICHEN_NATS_USERS_FILE). The file is written before the runtime connects, and violations count from then on.
 */
export async function openBusUsers(options: BusUsersOptions): Promise<BusUsers> {
  const { natsDir, nats, violations } = options;
  const logins = hostLogins(options.dataDir);
  const authority = await ManagedBusAuthority.open({
    hostUsers: [...logins.users, ...(options.serviceUsers ?? [])],
    store: new UsersJsonStore(join(natsDir, 'users.json')),
    sealer: new BcryptSealer(join(natsDir, 'users.key')),
    target: new NatsUsersFile({ file: options.usersFile, configFile: options.configFile, command: options.command, nats }),
    violations,
    logger: options.logger,
  });
  violations?.start();
  return { authority, runtimeLogin: logins.runtime };
}
