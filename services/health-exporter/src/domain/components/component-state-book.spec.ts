import { describe, expect, it } from 'vitest';
import { ComponentStateBook } from './component-state-book.js';

describe('ComponentStateBook', () => {
  it('keeps the latest state of each component and counts them by state', () => {
    const book = new ComponentStateBook();
    book.apply({ component: 'sensor', state: 'STARTING' });
    book.apply({ component: 'sensor', state: 'RUNNING' });
    book.apply({ component: 'model', state: 'RUNNING' });
    book.apply({ component: 'uploader', state: 'BROKEN' });
    expect(book.entries()).toEqual([
      ['model', 'RUNNING'],
      ['sensor', 'RUNNING'],
      ['uploader', 'BROKEN'],
    ]);
    expect(book.countByState()).toEqual({ RUNNING: 2, BROKEN: 1 });
  });

  it('forgets a removed component', () => {
    const book = new ComponentStateBook();
    book.apply({ component: 'sensor', state: 'RUNNING' });
    book.apply({ component: 'sensor', state: 'FINISHED', removed: true });
    expect(book.entries()).toEqual([]);
  });
});

describe('ComponentStateBook seeding', () => {
  const at = (time: string) => new Date(`2026-11-26T${time}Z`);

  it('fills an empty book from the list', () => {
    const book = new ComponentStateBook();
    book.seed([
      { component: 'sensor', state: 'RUNNING', since: at('11:00:00') },
      { component: 'uploader', state: 'BROKEN' },
    ]);
    expect(book.entries()).toEqual([
      ['sensor', 'RUNNING'],
      ['uploader', 'BROKEN'],
    ]);
  });

  it('keeps a state an event announced over the listed one, which may be older', () => {
    const book = new ComponentStateBook();
    book.apply({ component: 'sensor', state: 'BROKEN', at: at('12:00:05') });
    book.apply({ component: 'model', state: 'STARTING' });
    book.seed([
      { component: 'sensor', state: 'RUNNING', since: at('12:00:00') },
      { component: 'model', state: 'INSTALLED', since: at('12:00:10') },
      { component: 'uploader', state: 'RUNNING' },
    ]);
    expect(book.entries()).toEqual([
      ['model', 'STARTING'],
      ['sensor', 'BROKEN'],
      ['uploader', 'RUNNING'],
    ]);
  });

  it('does not bring back a component an event removed', () => {
    const book = new ComponentStateBook();
    book.apply({ component: 'sensor', state: 'FINISHED', removed: true, at: at('12:00:05') });
    book.seed([{ component: 'sensor', state: 'RUNNING', since: at('11:00:00') }]);
    expect(book.entries()).toEqual([]);
  });

  it('takes a listed state that began after the last event heard', () => {
    const book = new ComponentStateBook();
    book.apply({ component: 'sensor', state: 'STARTING', at: at('12:00:00') });
    book.seed([{ component: 'sensor', state: 'RUNNING', since: at('12:00:03') }]);
    expect(book.entries()).toEqual([['sensor', 'RUNNING']]);
  });

  it('lets an event after the seed win, as always', () => {
    const book = new ComponentStateBook();
    book.seed([{ component: 'sensor', state: 'RUNNING', since: at('12:00:00') }]);
    book.apply({ component: 'sensor', state: 'ERRORED' });
    expect(book.entries()).toEqual([['sensor', 'ERRORED']]);
  });
});
