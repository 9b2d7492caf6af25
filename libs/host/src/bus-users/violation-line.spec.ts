import { describe, expect, it } from 'vitest';
import { parseViolation } from './violation-line.js';

// Lines as nats-server 2.9.10 wrote them here.
const prefix = '[7584] 2026/11/26 18:41:16.328429 [ERR] 127.0.0.1:47038 - cid:6 - "v3.4.0:nats.js:comp"';

describe('parseViolation', () => {
  it('reads the user and kind of a refused publish, reply or subscription', () => {
    expect(parseViolation(`${prefix} - Publish Violation - User "comp", Subject "lichen.deploy.apply"`)).toEqual({
      user: 'comp',
      kind: 'publish',
    });
    expect(parseViolation(`${prefix} - Publish Violation - User "comp", Reply "_INBOX.abc"`)).toEqual({
      user: 'comp',
      kind: 'publish',
    });
    expect(parseViolation(`${prefix} - Subscription Violation - User "comp", Subject "lichen.>", SID 1`)).toEqual({
      user: 'comp',
      kind: 'subscribe',
    });
    expect(parseViolation(`${prefix} - Subscription Violation - User "comp", Subject "q.>", Queue: "grp", SID 1`)).toEqual({
      user: 'comp',
      kind: 'subscribe',
    });
  });

  it('is not fooled by a client name that imitates a violation: nats-server escapes its quotes', () => {
    const line =
      '[7584] 2026/11/26 18:46:04.969111 [ERR] 127.0.0.1:37392 - cid:357 - "v3.4.0:nats.js:a\\" - Publish Violation - User \\"victim\\", Subject \\"x" - Publish Violation - User "empty", Subject "x.y"';
    expect(parseViolation(line)).toEqual({ user: 'empty', kind: 'publish' });
    const notOne =
      '[1] 2026/11/26 18:46:04.969111 [ERR] 127.0.0.1:1 - cid:3 - "a\\" - Publish Violation - User \\"victim\\", Subject \\"x" - authentication error - User "x"';
    expect(parseViolation(notOne)).toBeUndefined();
  });

  it('skips every other line', () => {
    expect(parseViolation(`${prefix} - authentication error - User "comp"`)).toBeUndefined();
    expect(
      parseViolation('[7584] 2026/11/26 18:41:28.699755 [INF] Removed sub "cmd.>" (sid "1") for User "comp" - not authorized'),
    ).toBeUndefined();
    expect(parseViolation('')).toBeUndefined();
  });
});
