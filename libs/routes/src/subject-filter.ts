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
}
