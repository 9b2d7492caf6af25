import { InvalidArgumentError } from 'commander';
import { isSubjectToken } from '@lichen/contracts';

/**
 * A subject to publish on, as `lichen pub` takes it: dot-separated tokens, none empty, no white space, and no
 * wildcard (`*` or `>`), which a publisher cannot use. The error names the first bad token.
 */
export function parsePublishSubject(subject: string): string {
  const bad = subject.split('.').find((token) => !isSubjectToken(token));
  if (bad !== undefined) throw new InvalidArgumentError(problem(subject, bad, 'a subject to publish on has no wildcards'));
  return subject;
}

/** A subject to subscribe to: as for publishing, but a token may be `*` (any one token) and the last may be `>` (the rest). */
export function parseSubscribeSubject(subject: string): string {
  const tokens = subject.split('.');
  const bad = tokens.find(
    (token, index) => token !== '*' && !(token === '>' && index === tokens.length - 1) && !isSubjectToken(token),
  );
  if (bad !== undefined)
    throw new InvalidArgumentError(problem(subject, bad, '* stands for one whole token, > only for the last'));
  return subject;
}

function problem(subject: string, token: string, wildcardRule: string): string {
  if (subject === '') return 'the subject is empty';
  if (token === '') return `"${subject}" has an empty token (two dots, or a dot at an end)`;
  if (/\s/.test(token)) return `"${subject}" has white space in it`;
  return `"${subject}" has "${token}" as a token: ${wildcardRule}`;
}
