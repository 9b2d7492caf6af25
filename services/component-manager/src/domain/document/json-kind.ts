/** How an operator who wrote YAML would name the kind of a value: `a string`, `a list`, `a mapping`, ... */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'string':
      return 'a string';
    case 'number':
      return Number.isFinite(value) ? 'a number' : Number.isNaN(value) ? '.nan' : '.inf';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      return isPlainObject(value) ? 'a mapping' : `a ${value.constructor?.name ?? 'object'}`;
    default:
      return `a ${typeof value}`;
  }
}

/** An object as YAML and JSON produce it (not a Date, a Map or a class instance). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}
