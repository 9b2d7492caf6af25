import { describe, expect, it } from 'vitest';
import { envelope } from './message-envelope.js';
import { reconnectDelay } from './reconnect-backoff.js';
import { topicFilterProblem, topicMatches } from './topic-filter.js';

describe('reconnectDelay', () => {
  const bounds = { minMs: 1_000, maxMs: 60_000 };

  it('doubles from the first wait to the last, each between half and all of it', () => {
    expect([0, 1, 2, 5, 6, 20].map((failures) => reconnectDelay(failures, bounds, () => 0.999999))).toEqual([
      1_000, 2_000, 4_000, 32_000, 60_000, 60_000,
    ]);
    expect([0, 1, 6].map((failures) => reconnectDelay(failures, bounds, () => 0))).toEqual([500, 1_000, 30_000]);
  });
});

describe('topicMatches', () => {
  it.each([
    ['a/+/c', 'a/b/c', true],
    ['a/+/c', 'a/b/d', false],
    ['a/#', 'a', true],
    ['a/#', 'a/b/c', true],
    ['#', '$aws/things/x', false],
    ['$aws/things/+/jobs/notify-next', '$aws/things/t1/jobs/notify-next', true],
    ['a/b', 'a/b/c', false],
    ['a/b/c', 'a/b', false],
  ])('%s on %s is %s', (filter, topic, expected) => {
    expect(topicMatches(filter, topic)).toBe(expected);
  });

  it('says what is wrong with a filter', () => {
    expect(topicFilterProblem('a/#/b')).toBe('has "#" other than as its whole last level');
    expect(topicFilterProblem('a/b+')).toBe('has "+" other than as a whole level');
    expect(topicFilterProblem('a/+/#')).toBeUndefined();
  });
});

describe('envelope', () => {
  const text = (data: Uint8Array) => new TextDecoder().decode(data);

  it('wraps a JSON payload byte for byte, and anything else in base64', () => {
    expect(text(envelope('d:1:7', new TextEncoder().encode('{"t": 45.5}')))).toBe('{"id":"d:1:7","payload":{"t": 45.5}}');
    expect(JSON.parse(text(envelope('d:1:8', Uint8Array.of(0xff, 0x00))))).toEqual({ id: 'd:1:8', payloadBase64: '/wA=' });
    expect(JSON.parse(text(envelope('d:1:9', new Uint8Array())))).toEqual({ id: 'd:1:9', payloadBase64: '' });
  });
});
