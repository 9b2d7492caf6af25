import { InvalidArgumentError } from 'commander';
import { toHeaders, type HeadersInit } from '@lichen/bus';

export interface HeaderArgument {
  name: string;
  value: string;
}

/** Printable ASCII but the colon: what a NATS (MIME) header name may hold. */
const HEADER_NAME = /^[!-9;-~]+$/;

/**
 * `--header name=value`, repeatable: each adds to the ones before (a name given twice carries both values).
 * The value is everything after the first `=`, and may be empty.
 */
export function collectHeader(argument: string, previous: readonly HeaderArgument[] | undefined): HeaderArgument[] {
  const equals = argument.indexOf('=');
  if (equals <= 0) throw new InvalidArgumentError('expected name=value');
  const name = argument.slice(0, equals);
  const value = argument.slice(equals + 1);
  if (!HEADER_NAME.test(name))
    throw new InvalidArgumentError(`"${name}" is not a header name: printable ASCII, no colon or space`);
  if (/[\r\n]/.test(value)) throw new InvalidArgumentError(`the value of ${name} has a line break`);
  return [...(previous ?? []), { name, value }];
}

/** The headers as the bus takes them; undefined for none, so the message carries no header block. */
export function headerSet(headers: readonly HeaderArgument[]): HeadersInit | undefined {
  if (headers.length === 0) return undefined;
  const set = toHeaders();
  for (const { name, value } of headers) set.append(name, value);
  return set;
}
