import { ScalarType, type DescEnum, type DescField, type DescMessage, type JsonObject, type JsonValue } from '@bufbuild/protobuf';
import { closestName } from './closest-name.js';
import { describeValue, isPlainObject } from './json-kind.js';
import { checkEnum, checkScalar, wholeNumber } from './proto-scalar.checker.js';
import { fieldPath, indexPath, type Violation } from './violation.js';
import { checkWellKnown, hasOwnJsonForm } from './well-known.checker.js';

export interface ShapeCheck {
  /** Every unknown field and wrongly typed value, each with its path. */
  readonly problems: Violation[];
  /** The input with those values left out and scalars coerced; `fromJson(schema, value)` accepts it. */
  readonly value: JsonObject;
  /**
   * The paths of the values left out, and of the fields an unknown field probably meant (`image` for
   * `imagee`): later checks should not report those again as missing.
   */
  readonly rejected: ReadonlySet<string>;
}

type Element =
  { kind: 'scalar'; scalar: ScalarType } | { kind: 'enum'; enum: DescEnum } | { kind: 'message'; message: DescMessage };
type Walk = (value: unknown, path: string) => JsonValue | undefined;
/** A report that can also name the field an unknown one probably meant. */
type ShapeReport = (path: string, reason: string, meant?: string) => void;

/**
 * Walks a parsed document against a message descriptor, in the proto3 JSON mapping (the fields' JSON names),
 * and lists every problem instead of failing on the first as `fromJson` does. Numbers and booleans written
 * where a string belongs become strings (`version: 1.2`, env `SAMPLE_HZ: 100`), as in compose files; lists
 * and mappings there are refused. `null` leaves a field at its default, as proto3 JSON says. A map value or
 * list item that should be a message but is not becomes an empty message, so its name still counts (a
 * dependency on it is not also reported missing). Well-known types take their own JSON form: a
 * `google.protobuf.Struct` (a component's `config`) any JSON mapping.
 */
export function checkShape(schema: DescMessage, input: unknown, path = ''): ShapeCheck {
  const problems: Violation[] = [];
  const rejected = new Set<string>();
  const report = (at: string, reason: string, meant?: string) => {
    problems.push({ path: at, reason });
    rejected.add(at);
    if (meant !== undefined) rejected.add(meant);
  };
  const checked = message(schema, input, path, report);
  return { problems, value: isPlainObject(checked) ? (checked as JsonObject) : {}, rejected };
}

function message(desc: DescMessage, input: unknown, path: string, report: ShapeReport): JsonValue | undefined {
  if (hasOwnJsonForm(desc)) return checkWellKnown(desc, input, path, report);
  if (!isPlainObject(input)) return void report(path, `expected a mapping, got ${describeValue(input)}`);
  const fields = new Map(desc.fields.map((field) => [field.jsonName, field]));
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(input)) {
    const field = fields.get(key);
    const at = fieldPath(path, key);
    if (!field) {
      const meant = closestName(key, fields.keys());
      report(at, `unknown field${meant === undefined ? '' : ` (did you mean "${meant}"?)`}`, meant && fieldPath(path, meant));
      continue;
    }
    if (value === null || value === undefined) continue;
    const checked = fieldValue(field, value, at, report);
    if (checked !== undefined) out[key] = checked;
  }
  return out;
}

function fieldValue(field: DescField, value: unknown, path: string, report: ShapeReport): JsonValue | undefined {
  switch (field.fieldKind) {
    case 'scalar':
      return checkScalar(field.scalar, value, path, report);
    case 'enum':
      return checkEnum(field.enum, value, path, report);
    case 'message':
      return message(field.message, value, path, report);
    case 'list':
      return list(element(field), value, path, report);
    case 'map':
      return map(field.mapKey, element(field), value, path, report);
  }
}

function element(field: DescField & { fieldKind: 'list' | 'map' }): Element {
  if (field.message) return { kind: 'message', message: field.message };
  if (field.enum) return { kind: 'enum', enum: field.enum };
  return { kind: 'scalar', scalar: field.scalar ?? ScalarType.STRING };
}

function walker(element: Element, report: ShapeReport): Walk {
  if (element.kind === 'scalar') return (value, path) => checkScalar(element.scalar, value, path, report);
  if (element.kind === 'enum') return (value, path) => checkEnum(element.enum, value, path, report);
  const { message: desc } = element;
  if (hasOwnJsonForm(desc)) return (value, path) => message(desc, value, path, report);
  return (value, path) => (value === null ? {} : (message(desc, value, path, report) ?? {}));
}

function list(of: Element, value: unknown, path: string, report: ShapeReport): JsonValue[] | undefined {
  if (!Array.isArray(value)) return void report(path, `expected ${listName(of)}, got ${describeValue(value)}`);
  const walk = walker(of, report);
  const out: JsonValue[] = [];
  value.forEach((item, index) => {
    const checked = walk(item, indexPath(path, index));
    if (checked !== undefined) out.push(checked);
  });
  return out;
}

function map(keyType: ScalarType, of: Element, value: unknown, path: string, report: ShapeReport): JsonObject | undefined {
  if (!isPlainObject(value)) return void report(path, `expected a mapping, got ${describeValue(value)}`);
  const walk = walker(of, report);
  const out: JsonObject = {};
  for (const [key, item] of Object.entries(value)) {
    const at = fieldPath(path, key);
    if (key === '__proto__') {
      report(at, '"__proto__" cannot be used as a name');
      continue;
    }
    if (keyType !== ScalarType.STRING && keyType !== ScalarType.BOOL && wholeNumber(keyType, key) === undefined) {
      report(at, `"${key}" is not a valid key here (expected a whole number)`);
      continue;
    }
    const checked = walk(item, at);
    if (checked !== undefined) out[key] = checked;
  }
  return out;
}

function listName(of: Element): string {
  if (of.kind === 'message') return 'a list of mappings';
  if (of.kind === 'enum') return `a list of ${of.enum.name} names`;
  return of.scalar === ScalarType.STRING
    ? 'a list of strings'
    : of.scalar === ScalarType.BOOL
      ? 'a list of true/false values'
      : 'a list of numbers';
}
