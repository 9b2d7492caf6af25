import { create } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { RouteCountersSchema, RouteListSchema } from '@lichen/contracts';
import { formatDropped, formatRouteTable } from './route-table.format.js';

describe('formatRouteTable', () => {
  it('lists the routes in the deployment order under the deployment, with their counters', () => {
    const list = create(RouteListSchema, {
      deploymentId: 'd-42',
      routes: [
        {
          route: {
            name: 'hot-spindle',
            from: 'sensors.*.temperature',
            where: 'payload.celsius > 80 &&\n  payload.machine.startsWith("press-") && payload.shift == "night"',
            to: 'alerts.temperature',
            sample: 1,
          },
          counters: { matched: 1250n, routed: 12n, dropped: { condition_false: 1235n, not_json: 2n, condition_error: 1n } },
        },
        { route: { name: 'all-vibration', from: 'sensors.>', to: 'cloud.vibration' }, counters: { matched: 7n, routed: 7n } },
        { route: { name: 'fresh', from: 'a.b', where: 'true', to: 'c.d' } },
      ],
    });
    expect(formatRouteTable(list)).toEqual([
      'deployment d-42',
      'NAME           FROM                   WHERE                                     TO                  MATCHED  ROUTED  DROPPED',
      'hot-spindle    sensors.*.temperature  payload.celsius > 80 && payload.machine…  alerts.temperature  1250     12      1238 (condition_false 1235, not_json 2, condition_error 1)',
      'all-vibration  sensors.>              -                                         cloud.vibration     7        7       0',
      'fresh          a.b                    true                                      c.d                 0        0       0',
    ]);
  });

  it('says so when the deployment has no routes, or there is no deployment', () => {
    expect(formatRouteTable(create(RouteListSchema, { deploymentId: 'd-1' }))).toEqual(['deployment d-1', 'no routes']);
    expect(formatRouteTable(create(RouteListSchema, {}))).toEqual(['no deployment yet', 'no routes']);
  });
});

describe('formatDropped', () => {
  it('sums the reasons, most first, ties by name, and leaves out reasons at zero', () => {
    const counters = create(RouteCountersSchema, {
      dropped: { rate_limited: 1n, not_json: 2n, condition_false: 1n, sampled_out: 0n },
    });
    expect(formatDropped(counters)).toBe('4 (not_json 2, condition_false 1, rate_limited 1)');
  });

  it('counts past what a double holds exactly', () => {
    const counters = create(RouteCountersSchema, { dropped: { not_json: 2n ** 63n, condition_false: 1n } });
    expect(formatDropped(counters)).toBe('9223372036854775809 (not_json 9223372036854775808, condition_false 1)');
  });

  it('prints 0 when nothing was dropped', () => {
    expect(formatDropped(undefined)).toBe('0');
    expect(formatDropped(create(RouteCountersSchema, {}))).toBe('0');
  });
});
