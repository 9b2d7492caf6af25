/**
 * Checks a NATS subject as Lichen writes it into routes and the generated permissions file. Returns what is
 * wrong, or nothing. Tokens are separated by dots and may not be empty; nothing may hold whitespace. In a
 * filter (`wildcards: true`) `*` matches one token and `>` the rest, so each must be a whole token and `>` the
 * last one; a subject to publish to holds neither.
 */
export function subjectProblem(subject: string, options: { readonly wildcards: boolean }): string | undefined {
  const what = options.wildcards ? 'subject filter' : 'subject';
  if (subject === '') return `a ${what} cannot be empty`;
  if (/\s/.test(subject)) return `"${subject}" is not a valid ${what}: it holds whitespace`;
  // eslint-disable-next-line no-control-regex -- control characters are what this refuses
  if (/[\u0000-\u001f\u007f]/.test(subject))
    return `${JSON.stringify(subject)} is not a valid ${what}: it holds a control character`;
  const tokens = subject.split('.');
  if (tokens.some((token) => token === ''))
    return `"${subject}" is not a valid ${what}: it has an empty token (leading, trailing or double dot)`;
  for (const [index, token] of tokens.entries()) {
    const wildcard = token === '*' || token === '>';
    if (!wildcard && /[*>]/.test(token)) return `"${subject}" is not a valid ${what}: a wildcard (* or >) must be a whole token`;
    if (wildcard && !options.wildcards) return `"${subject}" is a filter; a subject to publish to cannot hold * or >`;
    if (token === '>' && index !== tokens.length - 1) return `"${subject}" is not a valid ${what}: > must be the last token`;
  }
  return undefined;
}

/**
 * Checks the topic of a `cloud:<topic>` route target. It is published on `cloud.out.<levels>`, so each level
 * of the MQTT topic becomes a subject token: levels may not be empty nor hold `.`, wildcards or whitespace.
 */
export function cloudTopicProblem(topic: string): string | undefined {
  if (topic === '') return 'a cloud topic cannot be empty (cloud:<topic>, e.g. cloud:factory/line-3/alerts)';
  const levels = topic.split('/');
  if (levels.some((level) => level === ''))
    return `"${topic}" is not a valid cloud topic: it has an empty level (leading, trailing or double /)`;
  if (/[\s.*>+#\0]/.test(topic))
    return `"${topic}" is not a valid cloud topic: levels cannot hold whitespace, ".", "*", ">", "+" or "#"`;
  return undefined;
}

/** A subject of the server's (`$JS`, `$SYS`, `$MQTT`) or a reply inbox: no route reads or writes there. */
export function isServerSubject(subject: string): boolean {
  return subject.startsWith('$') || subject.startsWith('_INBOX');
}
