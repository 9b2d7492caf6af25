import type { BusUser, SubjectRules } from './bus-user.js';

/**
 * The users part of nats-server's configuration, in its syntax: one `authorization` block listing every user
 * with its permissions, one user per line. Each `password` is written as given: a bcrypt hash (`$2a$`, `$2b$`),
 * which nats-server compares against what the client sends, or a plain password. Strings are JSON-quoted, which
 * nats-server reads as its own quoted strings, so no name or subject can break the file.
 */
export function natsUsersConfig(users: readonly BusUser[]): string {
  const lines = [
    '# Written by Lichen (libs/host/src/bus-users): every change is replaced at the next one.',
    'authorization {',
    '  users = [',
    ...users.map((user) => `    ${userEntry(user)}`),
    '  ]',
    '}',
  ];
  return `${lines.join('\n')}\n`;
}

function userEntry(user: BusUser): string {
  const fields = [`user: ${quote(user.name)}`, `password: ${quote(user.passwordHash ?? user.password ?? '')}`];
  const permissions = permissionsEntry(user.permissions);
  if (permissions) fields.push(`permissions: ${permissions}`);
  if (user.connectionTypes) fields.push(`allowed_connection_types: ${list(user.connectionTypes)}`);
  return `{ ${fields.join(', ')} }`;
}

function permissionsEntry(permissions: BusUser['permissions']): string | undefined {
  if (!permissions) return undefined;
  const fields: string[] = [];
  const publish = rulesEntry(permissions.publish);
  const subscribe = rulesEntry(permissions.subscribe);
  if (publish) fields.push(`publish: ${publish}`);
  if (subscribe) fields.push(`subscribe: ${subscribe}`);
  if (permissions.allowResponses) fields.push('allow_responses: true');
  return fields.length ? `{ ${fields.join(', ')} }` : undefined;
}

function rulesEntry(rules: SubjectRules | undefined): string | undefined {
  if (!rules) return undefined;
  // nats-server 2.9 reads an empty allow list as no list at all, which allows everything (measured): "allow
  // nothing" is written as a deny of every subject.
  const nothing = rules.allow?.length === 0;
  const fields: string[] = [];
  if (rules.allow?.length) fields.push(`allow: ${list(rules.allow)}`);
  const deny = nothing ? ['>'] : (rules.deny ?? []);
  if (deny.length) fields.push(`deny: ${list(deny)}`);
  return fields.length ? `{ ${fields.join(', ')} }` : undefined;
}

function list(items: readonly string[]): string {
  return `[${items.map(quote).join(', ')}]`;
}

function quote(text: string): string {
  return JSON.stringify(text);
}
