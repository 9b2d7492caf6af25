import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import type { MessageInitShape } from '@bufbuild/protobuf';
import { HealthStatus, type HeartbeatSchema } from '@lichen/contracts';
import type { HealthReport } from '../domain/health/health-monitor.js';

const statusOf = { OK: HealthStatus.OK, DEGRADED: HealthStatus.DEGRADED, CRITICAL: HealthStatus.CRITICAL } as const;

/** The wire form of a health report. */
export function toHeartbeat(report: HealthReport): MessageInitShape<typeof HeartbeatSchema> {
  const { readings, summary } = report;
  return {
    deviceId: report.deviceId,
    time: timestampFromDate(report.time),
    hostUptimeSeconds: report.hostUptimeSeconds,
    runtimeUptimeSeconds: report.runtimeUptimeSeconds,
    versions: report.versions,
    summary: {
      status: statusOf[summary.status],
      problems: summary.problems,
      cpuUtilizationRatio: readings.cpuUtilizationRatio,
      memoryUsedRatio: readings.memoryUsedRatio,
      maxFilesystemUsedRatio: readings.fullestFilesystem?.usedRatio ?? 0,
      load1: readings.load1,
      busConnected: readings.busConnected,
      natsUp: readings.natsUp,
      redisUp: readings.redisUp,
      componentsByState: readings.componentsByState,
      maxTemperatureCelsius: readings.maxTemperatureCelsius,
    },
  };
}
