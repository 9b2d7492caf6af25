/** A placeholder for the N-th wildcard of `from`, in NATS's subject mapping syntax: `$1` or `{{wildcard(1)}}`. */
const placeholder = /\$(\d+)|\{\{\s*[wW]ildcard\s*\(\s*(\d+)\s*\)\s*\}\}/g;

/**
 * A subject a route publishes to, with the tokens its `from` matched put in: `to: alerts.$1.high` from
 * `data.*.temp` sends `data.press-7.temp` to `alerts.press-7.high`. `>`'s value is the rest of the subject.
 */
export interface TargetTemplate {
  render(captured: readonly string[]): string;
}

export type TemplateResult = { ok: true; template: TargetTemplate } | { ok: false; problem: string };

/** Reads a target against the number of wildcards of its route's `from`, so a reference out of range is caught. */
export function parseTargetTemplate(text: string, wildcards: number): TemplateResult {
  if (/\{\{/.test(text.replace(placeholder, ''))) {
    return { ok: false, problem: `"${text}": of NATS's mapping functions only {{wildcard(N)}} (or $N) is supported` };
  }
  if (/\$\d|\{\{/.test(text.split('.')[0] ?? '')) {
    return {
      ok: false,
      problem: `"${text}": its first token must be written out, not taken from a wildcard (a message would choose where it goes)`,
    };
  }
  const parts: (string | number)[] = [];
  let last = 0;
  for (const match of text.matchAll(placeholder)) {
    const index = Number(match[1] ?? match[2]);
    if (index < 1 || index > wildcards) {
      const has = wildcards === 0 ? 'has no wildcards' : `has ${wildcards} wildcard${wildcards > 1 ? 's' : ''}`;
      return { ok: false, problem: `"${match[0]}" refers to wildcard ${index} of from, which ${has}` };
    }
    parts.push(text.slice(last, match.index), index - 1);
    last = match.index + match[0].length;
  }
  if (parts.length === 0) return { ok: true, template: { render: () => text } };
  parts.push(text.slice(last));
  return {
    ok: true,
    template: {
      render: (captured) => parts.map((part) => (typeof part === 'number' ? captured[part] : part)).join(''),
    },
  };
}

/** The subject with each placeholder as a plain token, for the checks of a subject's syntax. */
export function withoutPlaceholders(text: string): string {
  return text.replace(placeholder, 'x');
}
