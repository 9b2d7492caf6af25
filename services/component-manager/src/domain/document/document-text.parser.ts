import { isCollection, isPair, parseDocument, visit, type YAMLError } from 'yaml';
import type { Violation } from './violation.js';

export type ParsedDocumentText = { ok: true; value: unknown } | { ok: false; violations: Violation[] };

/**
 * Reads a deployment document's text: YAML 1.2 (so JSON too) into plain values. Every syntax error is
 * reported with its line and column (one per position: the yaml package sometimes reports two for one
 * mistake), duplicate keys are errors, and anything but a mapping at the top is rejected. Several documents
 * in one text (`---`) are an error: a deployment is one document. Aliases are resolved, within the yaml
 * package's guard against alias bombs.
 */
export function parseDocumentText(text: string): ParsedDocumentText {
  // logLevel 'error': warnings are not printed to the process; 'silent' would also drop errors (MULTIPLE_DOCS).
  const document = parseDocument(text, { prettyErrors: true, logLevel: 'error', uniqueKeys: true });
  const violations = syntaxViolations(document.errors);
  visit(document, {
    Pair(_, pair) {
      if (isPair(pair) && isCollection(pair.key))
        violations.push(at(pair.key.range?.[0], text, 'a key must be a plain value, not a list or a mapping'));
    },
  });
  if (violations.length > 0) return { ok: false, violations };

  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    return { ok: false, violations: [{ path: '', reason: (error as Error).message }] };
  }
  if (value === null || value === undefined) return fail('the document is empty');
  if (typeof value !== 'object' || Array.isArray(value)) {
    return fail(
      `the document must be a mapping (apiVersion: lichen.dev/v1, kind: Deployment, ...), got ${Array.isArray(value) ? 'a list' : `a ${typeof value}`}`,
    );
  }
  return { ok: true, value };
}

function syntaxViolations(errors: readonly YAMLError[]): Violation[] {
  const seen = new Set<string>();
  const violations: Violation[] = [];
  for (const error of errors) {
    const position = error.linePos?.[0];
    const key = position ? `${position.line}:${position.col}` : error.message;
    if (seen.has(key)) continue;
    seen.add(key);
    const message = (error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
    violations.push({ path: '', reason: position ? `line ${position.line}, column ${position.col}: ${message}` : message });
  }
  return violations;
}

function at(offset: number | undefined, text: string, message: string): Violation {
  if (offset === undefined) return { path: '', reason: message };
  const before = text.slice(0, offset).split('\n');
  return { path: '', reason: `line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1}: ${message}` };
}

function fail(reason: string): ParsedDocumentText {
  return { ok: false, violations: [{ path: '', reason }] };
}
