import { describe, expect, it } from 'vitest';
import { parseTargetTemplate, type TemplateResult } from './target-template.js';

const render = (result: TemplateResult, captured: string[]) => (result.ok ? result.template.render(captured) : result.problem);

describe('parseTargetTemplate', () => {
  it('puts the captured wildcards in, in both NATS spellings', () => {
    expect(render(parseTargetTemplate('alerts.$1.high', 1), ['press-7'])).toBe('alerts.press-7.high');
    expect(render(parseTargetTemplate('x.{{wildcard(2)}}.$1', 2), ['a', 'b.c'])).toBe('x.b.c.a');
    expect(render(parseTargetTemplate('x.{{ Wildcard( 1 ) }}', 1), ['a'])).toBe('x.a');
    expect(render(parseTargetTemplate('x.dev-$1', 1), ['7'])).toBe('x.dev-7');
  });

  it('leaves a subject without placeholders as it is', () => {
    expect(render(parseTargetTemplate('alerts.all', 0), [])).toBe('alerts.all');
  });

  it('refuses a first token taken from a wildcard, and mapping functions other than wildcard', () => {
    expect(parseTargetTemplate('$1.alerts', 1)).toMatchObject({ ok: false, problem: expect.stringContaining('first token') });
    expect(parseTargetTemplate('x.{{partition(3,1)}}', 1)).toMatchObject({ ok: false, problem: expect.stringContaining('only') });
  });

  it('refuses a reference to a wildcard from does not have', () => {
    expect(parseTargetTemplate('alerts.$2', 1)).toEqual({
      ok: false,
      problem: '"$2" refers to wildcard 2 of from, which has 1 wildcard',
    });
    expect(parseTargetTemplate('alerts.$0', 1)).toMatchObject({ ok: false });
    expect(parseTargetTemplate('alerts.{{wildcard(1)}}', 0)).toEqual({
      ok: false,
      problem: '"{{wildcard(1)}}" refers to wildcard 1 of from, which has no wildcards',
    });
  });
});
