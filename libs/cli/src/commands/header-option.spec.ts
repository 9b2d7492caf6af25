import { describe, expect, it } from 'vitest';
import { toHeaders } from '@lichen/bus';
import { collectHeader, headerSet } from './header-option.js';

describe('collectHeader', () => {
  it('adds each name=value to the ones before, the value being all after the first =', () => {
    const first = collectHeader('Trace-Id=abc=1', undefined);
    expect(collectHeader('tag=', first)).toEqual([
      { name: 'Trace-Id', value: 'abc=1' },
      { name: 'tag', value: '' },
    ]);
  });

  it.each([
    ['novalue', 'expected name=value'],
    ['=v', 'expected name=value'],
    ['a b=v', '"a b" is not a header name: printable ASCII, no colon or space'],
    ['a:b=v', '"a:b" is not a header name'],
    ['a=line\nbreak', 'the value of a has a line break'],
  ])('refuses %j', (argument, message) => {
    expect(() => collectHeader(argument, [])).toThrow(message);
  });
});

describe('headerSet', () => {
  it('keeps every value of a name given twice', () => {
    const set = headerSet([
      { name: 'tag', value: 'a' },
      { name: 'tag', value: 'b' },
    ]);
    expect(toHeaders(set).values('tag')).toEqual(['a', 'b']);
  });

  it('is undefined for no headers, so the message carries none', () => {
    expect(headerSet([])).toBeUndefined();
  });
});
