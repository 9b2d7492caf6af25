import { describe, expect, it } from 'vitest';
import { compileCondition, ConditionNotBoolError, type Condition, type ConditionInput } from './route-condition.js';

function compiled(expression: string): Condition {
  const result = compileCondition(expression);
  if (!result.ok) throw new Error(`${expression}: ${result.problem}`);
  return result.condition;
}

const message = (payload: unknown, subject = 'data.press-7', headers: Record<string, string> = {}): ConditionInput => ({
  subject,
  payload,
  headers,
});

describe('compileCondition', () => {
  it('evaluates over payload, subject and headers', () => {
    const hot = compiled('payload.rms > 4.0 && subject.startsWith("data.") && headers["unit"] == "mm/s"');
    expect(hot(message({ rms: 5 }, 'data.press-7', { unit: 'mm/s' }))).toBe(true);
    expect(hot(message({ rms: 3 }, 'data.press-7', { unit: 'mm/s' }))).toBe(false);
  });

  it('compares JSON numbers, which are doubles, with int literals too', () => {
    expect(compiled('payload.t > 40')(message({ t: 45 }))).toBe(true);
    expect(compiled('payload.t > 40.0')(message({ t: 45 }))).toBe(true);
  });

  it('reads the payload only when the expression reaches it', () => {
    let reads = 0;
    const input = {
      subject: 'alerts.x',
      headers: {},
      get payload() {
        reads += 1;
        throw new SyntaxError('not JSON');
      },
    };
    expect(compiled('subject == "alerts.x" || payload.level > 2')(input)).toBe(true);
    expect(reads).toBe(0);
    expect(() => compiled('payload.level > 2')(input)).toThrow(SyntaxError);
  });

  it('throws on a message it cannot evaluate: a missing key, a wrong type, a result that is not a bool', () => {
    expect(() => compiled('payload.rms > 4.0')(message({ t: 1 }))).toThrow(/No such key: rms/);
    expect(() => compiled('payload.rms > 4.0')(message({ rms: 'high' }))).toThrow(/no such overload/);
    expect(() => compiled('payload.rms')(message({ rms: 2 }))).toThrow(ConditionNotBoolError);
  });

  it('gives the reason and column of a syntax error', () => {
    expect(compileCondition('payload.t > 1 &&& x')).toEqual({ ok: false, problem: 'Unexpected character: &', column: 17 });
    expect(compileCondition('payload.t >')).toEqual({ ok: false, problem: 'Unexpected token: EOF', column: 12 });
  });

  it('gives the reason and column of a type error, and refuses what is not a condition', () => {
    expect(compileCondition('rms > 4.0')).toEqual({ ok: false, problem: 'Unknown variable: rms', column: 1 });
    expect(compileCondition('subject + 1 == "x"')).toMatchObject({ ok: false, problem: 'no such overload: string + int' });
    expect(compileCondition('"yes"')).toEqual({
      ok: false,
      problem: 'a condition must be a bool, and this is string',
      column: 1,
    });
  });
});
