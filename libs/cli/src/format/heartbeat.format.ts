import { timestampDate } from '@bufbuild/protobuf/wkt';
import { HealthStatus, type Heartbeat } from '@lichen/contracts';

const percent = (ratio: number | undefined) => `${Math.round((ratio ?? 0) * 100)}%`;
const yesNo = (value: boolean | undefined) => (value ? 'up' : 'DOWN');

function duration(seconds: number): string {
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3_600);
  const minutes = Math.floor((seconds % 3_600) / 60);
  return days ? `${days}d ${hours}h` : hours ? `${hours}h ${minutes}m` : `${minutes}m ${Math.floor(seconds % 60)}s`;
}

/**
 * `natsUp` says whether NATS's monitoring endpoint answered. With the bus connected NATS itself is fine, so a
 * missing endpoint costs only its metrics: say that, not "DOWN".
 */
function natsLine(summary: Heartbeat['summary']): string {
  if (summary?.natsUp) return 'nats up';
  return summary?.busConnected ? 'NATS metrics unavailable (no monitoring port)' : 'nats DOWN';
}

/** A heartbeat as a person reads it in a terminal. */
export function formatHeartbeat(heartbeat: Heartbeat): string {
  const summary = heartbeat.summary;
  const components = Object.entries(summary?.componentsByState ?? {})
    .map(([state, count]) => `${count} ${state}`)
    .join(', ');
  const lines = [
    `device      ${heartbeat.deviceId}   ${HealthStatus[summary?.status ?? HealthStatus.UNSPECIFIED]}`,
    `time        ${heartbeat.time ? timestampDate(heartbeat.time).toISOString() : '-'}`,
    `uptime      host ${duration(heartbeat.hostUptimeSeconds)}, lichen ${duration(heartbeat.runtimeUptimeSeconds)}`,
    `cpu         ${percent(summary?.cpuUtilizationRatio)}   load1 ${(summary?.load1 ?? 0).toFixed(2)}`,
    `memory      ${percent(summary?.memoryUsedRatio)} used`,
    `disk        ${percent(summary?.maxFilesystemUsedRatio)} used on the fullest filesystem`,
  ];
  if (summary?.maxTemperatureCelsius !== undefined) lines.push(`temperature ${summary.maxTemperatureCelsius} °C (hottest zone)`);
  lines.push(
    `bus         ${summary?.busConnected ? 'connected' : 'DISCONNECTED'}   ${natsLine(summary)}   redis ${yesNo(summary?.redisUp)}`,
    `components  ${components || 'none'}`,
    `versions    ${Object.entries(heartbeat.versions)
      .map(([name, version]) => `${name} ${version}`)
      .join(', ')}`,
  );
  for (const problem of summary?.problems ?? []) lines.push(`problem     ${problem}`);
  return lines.join('\n');
}
