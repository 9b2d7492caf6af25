/**
 * Whether an MQTT topic filter matches a topic: `+` is one level, a trailing `#` is any number of levels (none
 * too: `a/#` matches `a`), and a filter starting with a wildcard does not match a `$` topic (MQTT 4.7.2).
 */
export function topicMatches(filter: string, topic: string): boolean {
  const wanted = filter.split('/');
  const levels = topic.split('/');
  if (topic.startsWith('$') && (wanted[0] === '+' || wanted[0] === '#')) return false;
  for (let index = 0; index < wanted.length; index++) {
    const level = wanted[index];
    if (level === '#') return index === wanted.length - 1;
    if (index >= levels.length) return false;
    if (level !== '+' && level !== levels[index]) return false;
  }
  return wanted.length === levels.length;
}

/** Why a topic filter cannot be subscribed to, or undefined when it can. */
export function topicFilterProblem(filter: string): string | undefined {
  if (!filter) return 'is empty';
  if (Buffer.byteLength(filter) > 65_535) return 'is longer than 65535 bytes';
  const levels = filter.split('/');
  for (const [index, level] of levels.entries()) {
    if (level.includes('#') && (level !== '#' || index !== levels.length - 1))
      return `has "#" other than as its whole last level`;
    if (level.includes('+') && level !== '+') return `has "+" other than as a whole level`;
  }
  return undefined;
}
