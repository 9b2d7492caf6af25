import { describe, expect, it } from 'vitest';
import { ForwardWindow } from './forward-window.js';

describe('ForwardWindow', () => {
  it('keeps the floor below the oldest unsettled message, whatever order settlements come in', () => {
    const window = new ForwardWindow(10, 10);
    for (const seq of [11, 12, 13, 14]) window.sent(seq);
    window.settle(13);
    window.settle(12);
    expect(window.floor).toBe(10);
    expect(window.inFlight).toBe(2);
    window.settle(11);
    expect(window.floor).toBe(13);
    window.settle(14);
    expect([window.floor, window.inFlight]).toEqual([14, 0]);
  });

  it('moves the floor over a gap the spool dropped', () => {
    const window = new ForwardWindow(0, 10);
    window.reach(5);
    window.sent(5);
    expect(window.floor).toBe(4);
    window.settle(5);
    expect(window.floor).toBe(5);
  });

  it('makes room as messages settle', async () => {
    const window = new ForwardWindow(0, 2);
    window.sent(1);
    window.sent(2);
    let roomy = false;
    const room = window.room().then(() => (roomy = true));
    await Promise.resolve();
    expect(roomy).toBe(false);
    window.settle(2);
    await room;
    expect(roomy).toBe(true);
  });
});
