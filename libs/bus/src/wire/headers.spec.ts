import { headers } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import { optionalHeaders, toHeaders } from './headers.js';

describe('headers', () => {
  it('copies a plain object or a header set, never changing the one given', () => {
    const given = headers();
    given.append('X-Tag', 'a');
    given.append('X-Tag', 'b');
    const copy = toHeaders(given);
    copy.set('X-Other', '1');
    expect(copy.values('X-Tag')).toEqual(['a', 'b']);
    expect(given.has('X-Other')).toBe(false);
    expect(toHeaders({ 'Nats-Msg-Id': 'm-1' }).get('Nats-Msg-Id')).toBe('m-1');
  });

  it('makes no header set when none is given', () => {
    expect(optionalHeaders()).toBeUndefined();
  });
});
