import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { describe, expect, it } from 'vitest';
import { HealthStatus, HeartbeatSchema } from '@lichen/contracts';
import { formatHeartbeat } from './heartbeat.format.js';

describe('formatHeartbeat', () => {
  it('shows the verdict, the numbers and every problem', () => {
    const text = formatHeartbeat(
      create(HeartbeatSchema, {
        deviceId: 'press-7',
        time: timestampFromDate(new Date('2026-11-26T12:00:00Z')),
        hostUptimeSeconds: 90_061,
        runtimeUptimeSeconds: 125,
        versions: { lichen: '0.1.0' },
        summary: {
          status: HealthStatus.DEGRADED,
          problems: ['Redis unreachable'],
          cpuUtilizationRatio: 0.123,
          memoryUsedRatio: 0.5,
          maxFilesystemUsedRatio: 0.42,
          load1: 0.5,
          busConnected: true,
          natsUp: true,
          redisUp: false,
          componentsByState: { RUNNING: 2 },
        },
      }),
    );
    expect(text).toContain('device      press-7   DEGRADED');
    expect(text).toContain('uptime      host 1d 1h, lichen 2m 5s');
    expect(text).toContain('cpu         12%   load1 0.50');
    expect(text).toContain('nats up   redis DOWN');
    expect(text).toContain('components  2 RUNNING');
    expect(text).toContain('problem     Redis unreachable');
  });

  it('says NATS metrics are unavailable, not that NATS is down, when only its monitoring port is missing', () => {
    const beat = (busConnected: boolean) =>
      formatHeartbeat(create(HeartbeatSchema, { deviceId: 'd', summary: { busConnected, natsUp: false, redisUp: true } }));
    expect(beat(true)).toContain('bus         connected   NATS metrics unavailable (no monitoring port)   redis up');
    expect(beat(false)).toContain('bus         DISCONNECTED   nats DOWN   redis up');
  });
});
