/** Subjects a user may, or may not, use; NATS wildcards (`*`, `>`) allowed. A deny wins over an allow. */
export interface SubjectRules {
  allow?: string[];
  deny?: string[];
}

/** How a client reaches NATS; a user limited to some is refused on the others. */
export type ConnectionType = 'STANDARD' | 'MQTT' | 'WEBSOCKET' | 'LEAFNODE';

/**
 * One login on the device's bus and what it may do there. Without `permissions` the user may use every subject;
 * with them, only what they allow.
 */
export interface BusUser {
  /** Unique on the bus: no whitespace, quotes or backslashes (NATS writes it into log lines between quotes). */
  name: string;
  /** The plain password, as the client will give it; or instead `passwordHash`. */
  password?: string;
  /** A bcrypt hash made elsewhere (a client device's, from its deployment): used as it is. */
  passwordHash?: string;
  permissions?: {
    publish?: SubjectRules;
    subscribe?: SubjectRules;
    /** May publish a reply to a request it received, whatever `publish` says: needed to answer requests. */
    allowResponses?: boolean;
  };
  /** Only these ways in; every way when not given. */
  connectionTypes?: ConnectionType[];
}
