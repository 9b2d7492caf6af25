import { fromJson, type DescMessage, type JsonValue } from '@bufbuild/protobuf';
import { describeValue } from './json-kind.js';
import { checkJsonObject, checkJsonValue } from './json-value.checker.js';
import { checkScalar } from './proto-scalar.checker.js';
import type { Report } from './violation.js';

const WRAPPERS = new Set(
  ['Double', 'Float', 'Int64', 'UInt64', 'Int32', 'UInt32', 'Bool', 'String', 'Bytes'].map(
    (type) => `google.protobuf.${type}Value`,
  ),
);
/** Their JSON form is a string with a grammar of its own, which `fromJson` knows best. */
const STRING_FORMS = new Set([
  'google.protobuf.Timestamp',
  'google.protobuf.Duration',
  'google.protobuf.FieldMask',
  'google.protobuf.Any',
]);

/** True for the well-known types whose proto3 JSON form is not a mapping of their fields. */
export function hasOwnJsonForm(desc: DescMessage): boolean {
  return (
    ['google.protobuf.Struct', 'google.protobuf.Value', 'google.protobuf.ListValue'].includes(desc.typeName) ||
    WRAPPERS.has(desc.typeName) ||
    STRING_FORMS.has(desc.typeName)
  );
}

/**
 * Checks a value of a well-known type in its own JSON form: `Struct` any JSON mapping (a component's
 * `config`), `Value` any JSON value, `ListValue` a list, a wrapper its scalar, and `Timestamp`, `Duration`,
 * `FieldMask` and `Any` whatever `fromJson` accepts (`Any` needs a registry, so it is refused).
 */
export function checkWellKnown(desc: DescMessage, input: unknown, path: string, report: Report): JsonValue | undefined {
  if (desc.typeName === 'google.protobuf.Struct') return checkJsonObject(input, path, report);
  if (desc.typeName === 'google.protobuf.Value') return checkJsonValue(input, path, report);
  if (desc.typeName === 'google.protobuf.ListValue') {
    return Array.isArray(input)
      ? checkJsonValue(input, path, report)
      : void report(path, `expected a list, got ${describeValue(input)}`);
  }
  const [wrapped] = desc.fields;
  if (WRAPPERS.has(desc.typeName) && wrapped?.fieldKind === 'scalar') return checkScalar(wrapped.scalar, input, path, report);
  try {
    fromJson(desc, input as JsonValue);
    return input as JsonValue;
  } catch (error) {
    const why = (error as Error).message.replace(/^cannot decode message \S+ from JSON:\s*/, '');
    const what = typeof input === 'string' ? `"${input}"` : describeValue(input);
    return void report(path, `${what} is not a ${desc.typeName} (${why})`);
  }
}
