import { existsSync, readFileSync } from 'node:fs';
import type { BusUser } from './bus-user.js';
import { writePrivateFile } from './private-file.js';

/** A user as Lichen keeps it: `password` is its bcrypt hash, `digest` tells whether a new password is the same. */
export type SealedUser = Omit<BusUser, 'password' | 'passwordHash'> & { password: string; digest: string };

/** Every owner's users, by owner. */
export type UserGroups = ReadonlyMap<string, readonly SealedUser[]>;

/** Where the groups outlive Lichen, so that after a restart the same users exist before NATS starts. */
export interface GroupStore {
  /** The groups saved last; none when nothing was saved. Throws when what was saved cannot be read. */
  load(): UserGroups;
  save(groups: UserGroups): void;
}

interface UsersDocument {
  version: 1;
  groups: Record<string, SealedUser[]>;
}

/** The groups as a JSON file (`<dataDir>/nats/users.json`, 0600): hashes and digests only, no password. */
export class UsersJsonStore implements GroupStore {
  constructor(private readonly file: string) {}

  load(): UserGroups {
    if (!existsSync(this.file)) return new Map();
    const document = JSON.parse(readFileSync(this.file, 'utf8')) as Partial<UsersDocument>;
    if (document.version !== 1 || typeof document.groups !== 'object' || document.groups === null) {
      throw new Error(`${this.file} is not a users file of this Lichen (version ${String(document.version)})`);
    }
    return new Map(Object.entries(document.groups));
  }

  save(groups: UserGroups): void {
    const document: UsersDocument = { version: 1, groups: Object.fromEntries(groups) as Record<string, SealedUser[]> };
    writePrivateFile(this.file, `${JSON.stringify(document, null, 2)}\n`);
  }
}
