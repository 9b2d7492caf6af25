import { Environment } from '@marcbachmann/cel-js';

/**
 * What a `where` sees of a message. `payload` is the JSON body and `headers` the NATS headers (the first value
 * of each); both are read only when the expression reaches them, so the caller may supply them as getters that
 * parse once, on demand.
 */
export interface ConditionInput {
  readonly subject: string;
  readonly payload: unknown;
  readonly headers: Readonly<Record<string, string>>;
}

/** A compiled `where`: true routes the message. Throws when the expression fails on this message. */
export type Condition = (input: ConditionInput) => boolean;

export type ConditionResult =
  { ok: true; condition: Condition } | { ok: false; problem: string; /** 1-based, in the expression */ column: number };

/** One CEL environment for every route: the three variables, and limits so that no expression is huge. */
const environment = new Environment({ limits: { maxAstNodes: 2_000, maxDepth: 64 } })
  .registerVariable('payload', 'dyn')
  .registerVariable('subject', 'string')
  .registerVariable('headers', 'map<string, string>');

/** Thrown when an expression returns something other than a bool for a message (a `dyn` it could not check). */
export class ConditionNotBoolError extends Error {
  constructor(readonly value: unknown) {
    super(`the condition returned ${typeof value === 'bigint' ? 'an int' : `a ${typeof value}`}, not a bool`);
  }
}

/**
 * Compiles a route's CEL condition once (parsed and type-checked with `@marcbachmann/cel-js`). A syntax or type
 * error comes back with its column. CEL numbers from JSON are doubles, so `payload.t > 40.0` holds for
 * `{"t": 45}`; CEL ints are BigInt.
 */
export function compileCondition(expression: string): ConditionResult {
  let evaluate: (input: ConditionInput) => unknown;
  try {
    const parsed = environment.parse(expression);
    const check = parsed.check();
    if (!check.valid) return failure(check.error, expression);
    if (check.type !== 'bool' && check.type !== 'dyn') {
      return { ok: false, problem: `a condition must be a bool, and this is ${check.type}`, column: 1 };
    }
    evaluate = parsed as unknown as (input: ConditionInput) => unknown;
  } catch (error) {
    return failure(error, expression);
  }
  return {
    ok: true,
    condition: (input) => {
      const value = evaluate(input);
      if (typeof value !== 'boolean') throw new ConditionNotBoolError(value);
      return value;
    },
  };
}

function failure(error: unknown, expression: string): ConditionResult {
  const cel = error as { message?: string; range?: { start?: number } } | undefined;
  // cel-js appends the expression with a caret under the spot; the first line is the reason.
  const reason = String(cel?.message ?? error).split('\n')[0] ?? 'invalid expression';
  const start = cel?.range?.start;
  const column = typeof start === 'number' ? Math.min(start, expression.length) + 1 : 1;
  return { ok: false, problem: reason, column };
}
