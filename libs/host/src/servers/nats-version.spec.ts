import { describe, expect, it } from 'vitest';
import { hasMqttFixes } from './nats-version.js';

describe('hasMqttFixes', () => {
  it('knows which releases carry the MQTT fixes', () => {
    expect(hasMqttFixes([2, 9, 10])).toBe(false);
    expect(hasMqttFixes([2, 10, 29])).toBe(false);
    expect(hasMqttFixes([2, 11, 14])).toBe(false);
    expect(hasMqttFixes([2, 11, 15])).toBe(true);
    expect(hasMqttFixes([2, 12, 5])).toBe(false);
    expect(hasMqttFixes([2, 12, 6])).toBe(true);
    expect(hasMqttFixes([2, 13, 0])).toBe(true);
    expect(hasMqttFixes([3, 0, 0])).toBe(true);
  });
});
