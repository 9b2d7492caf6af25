/**
 * A NATS subject filter as a route's `from` writes it: `*` matches one token, `>` one or more at the end.
 * Parsed once per route version; `match` runs for every message, on a subject split once by the caller.
 */
export class SubjectFilter {
  readonly tokens: readonly string[];
  /** How many wildcards (`*` and `>`) it has: what a target's `$N` may refer to. */
  readonly wildcards: number;
  readonly #tail: boolean;

  constructor(readonly text: string) {
    this.tokens = text.split('.');
    this.#tail = this.tokens.at(-1) === '>';
    this.wildcards = this.tokens.filter((token) => token === '*' || token === '>').length;
  }

  /**
   * The values the wildcards took in `subject` (split on dots), in order, or undefined when it does not match.
   * The value of `>` is the rest of the subject, dots included.
   */
  match(subject: readonly string[]): string[] | undefined {
    const tokens = this.tokens;
    const fixed = this.#tail ? tokens.length - 1 : tokens.length;
    if (this.#tail ? subject.length <= fixed : subject.length !== fixed) return undefined;
    const captured: string[] = [];
    for (let index = 0; index < fixed; index++) {
      const token = tokens[index];
      const given = subject[index] as string;
      if (token === '*') captured.push(given);
      else if (token !== given) return undefined;
    }
    if (this.#tail) captured.push(subject.slice(fixed).join('.'));
    return captured;
  }

  /** Whether some subject matches both filters. */
  intersects(other: SubjectFilter): boolean {
    const mine = this.tokens;
    const theirs = other.tokens;
    for (let index = 0; ; index++) {
      const token = mine[index];
      const given = theirs[index];
      if (token === '>') return given !== undefined;
      if (given === '>') return token !== undefined;
      if (token === undefined || given === undefined) return token === given;
      if (token !== '*' && given !== '*' && token !== given) return false;
    }
  }

  /** Whether every subject `other` matches, this matches too: a subscription on this one receives them all. */
  covers(other: SubjectFilter): boolean {
    const mine = this.tokens;
    const theirs = other.tokens;
    for (let index = 0; index < mine.length; index++) {
      const token = mine[index];
      const given = theirs[index];
      if (token === '>') return given !== undefined;
      if (given === undefined || given === '>') return false;
      if (token !== '*' && (given === '*' || token !== given)) return false;
    }
    return mine.length === theirs.length;
  }
}

/**
 * The fewest filters whose subscriptions receive every message the given ones match: a filter covered by
 * another is left out (of two equal ones, the first is kept). One subscription per filter of the result means
 * a message reaches the router once, however many routes match it.
 */
export function coveringFilters(filters: readonly SubjectFilter[]): SubjectFilter[] {
  return filters.filter(
    (filter, index) =>
      !filters.some((other, at) => at !== index && other.covers(filter) && (!filter.covers(other) || at < index)),
  );
}
