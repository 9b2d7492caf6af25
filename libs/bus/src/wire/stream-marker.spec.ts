import { headers } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import { markStreamItem, streamEnd, streamPart } from './stream-marker.js';

describe('stream marker', () => {
  it('is an empty body with Lichen-Stream: end, and items say Lichen-Stream: item', () => {
    const end = streamEnd();
    expect(end.data.length).toBe(0);
    expect(end.headers.get('Lichen-Stream')).toBe('end');
    expect(streamPart(end.headers)).toBe('end');
    expect(streamPart(markStreamItem(headers()))).toBe('item');
  });

  it('sees no stream part in a reply without the header', () => {
    expect(streamPart(undefined)).toBeUndefined();
    expect(streamPart(headers())).toBeUndefined();
  });
});
