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
