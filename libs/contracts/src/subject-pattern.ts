/**
 * Subjects with `*` wildcards: a pattern such as `lichen.health.*.get` says where a subscriber listens; the
 * tokens that fill its wildcards, in order, make the concrete subject a sender uses.
 */

/** A subject token is non-empty and holds no separator, wildcard or white space. */
export function isSubjectToken(token: string): boolean {
  return /^[^.*>\s]+$/.test(token);
}

/** How many `*` wildcards a pattern has; throws when a part is neither a token nor `*` (`>` is not for contracts). */
export function wildcardCount(pattern: string): number {
  const parts = pattern.split('.');
  const bad = parts.find((part) => part !== '*' && !isSubjectToken(part));
  if (bad !== undefined) throw new TypeError(`"${pattern}" is not a subject pattern: "${bad}" is neither a token nor *`);
  return parts.filter((part) => part === '*').length;
}

/**
 * Fills the pattern's wildcards with `tokens` in order. With `partial`, fewer tokens than wildcards fill the
 * leading ones and leave the rest as `*` (a service serving only its own `lichen.health.<device>.get`).
 */
export function fillPattern(pattern: string, tokens: readonly string[], options: { partial?: boolean } = {}): string {
  // The common case, a subject without wildcards, is a request's hot path: no splitting.
  if (tokens.length === 0 && !pattern.includes('*')) return pattern;
  const wildcards = wildcardCount(pattern);
  if (tokens.length > wildcards || (!options.partial && tokens.length !== wildcards)) {
    throw new TypeError(`subject ${pattern} takes ${wildcards} token(s), got ${tokens.length}`);
  }
  for (const token of tokens) {
    if (!isSubjectToken(token)) throw new TypeError(`"${token}" is not a valid subject token for ${pattern}`);
  }
  let next = 0;
  return pattern
    .split('.')
    .map((part) => (part === '*' && next < tokens.length ? tokens[next++] : part))
    .join('.');
}

/** The values of the pattern's wildcards in a subject it matches, in order; undefined when it does not match. */
export function wildcardValues(pattern: string, subject: string): string[] | undefined {
  if (!pattern.includes('*')) return pattern === subject ? [] : undefined;
  const parts = pattern.split('.');
  const given = subject.split('.');
  if (parts.length !== given.length) return undefined;
  const values: string[] = [];
  for (const [index, part] of parts.entries()) {
    const token = given[index] as string;
    if (part === '*') values.push(token);
    else if (part !== token) return undefined;
  }
  return values;
}
