/**
 * Server addresses as configured may carry credentials (`nats://user:pass@host:4222`). These functions take
 * them out: the client gets clean addresses plus the credentials, and logs only ever see clean addresses.
 */

/** Credentials found in the userinfo of a server URL: `user:pass@` is a user and password, `token@` a token. */
export type UrlCredentials = { user: string; pass: string } | { token: string };

/** `server` without its userinfo; a bare `host:port` is returned as it is. */
export function redactServer(server: string): string {
  return server.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/]*@/i, '$1');
}

/** Every server without its userinfo, for the client and for logs. */
export function redactServers(servers: string | readonly string[]): string[] {
  return (typeof servers === 'string' ? [servers] : [...servers]).map(redactServer);
}

/** The credentials in the first server URL that has any (NATS clients take one set for all servers). */
export function credentialsInServers(servers: string | readonly string[]): UrlCredentials | undefined {
  for (const server of typeof servers === 'string' ? [servers] : servers) {
    const match = /^[a-z][a-z0-9+.-]*:\/\/([^@/]*)@/i.exec(server);
    if (!match?.[1]) continue;
    const [user = '', pass] = match[1].split(/:(.*)/s, 2).map(decodeURIComponent);
    return pass === undefined ? { token: user } : { user, pass };
  }
  return undefined;
}
