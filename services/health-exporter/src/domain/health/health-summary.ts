/** The readings a health verdict is made of; every ratio is 0 to 1. */
export interface HealthReadings {
  cpuUtilizationRatio: number;
  memoryUsedRatio: number;
  /** The fullest filesystem, with its mountpoint. */
  fullestFilesystem?: { mountpoint: string; usedRatio: number };
  maxTemperatureCelsius?: number;
  load1: number;
  busConnected: boolean;
  natsUp: boolean;
  redisUp: boolean;
  componentsByState: Record<string, number>;
}

export interface HealthThresholds {
  memoryDegraded: number;
  memoryCritical: number;
  diskDegraded: number;
  diskCritical: number;
  temperatureDegradedCelsius: number;
}

export const defaultThresholds: HealthThresholds = Object.freeze({
  memoryDegraded: 0.9,
  memoryCritical: 0.97,
  diskDegraded: 0.9,
  diskCritical: 0.97,
  temperatureDegradedCelsius: 85,
});

export type HealthVerdict = 'OK' | 'DEGRADED' | 'CRITICAL';

export interface HealthSummary {
  status: HealthVerdict;
  /** Why the status is not OK, one sentence each, worst first. */
  problems: string[];
}

const percent = (ratio: number) => `${Math.round(ratio * 100)}%`;

/** The device's verdict: CRITICAL when it is about to lose data or a component is broken, DEGRADED when impaired. */
export function summarizeHealth(readings: HealthReadings, thresholds: HealthThresholds = defaultThresholds): HealthSummary {
  const critical: string[] = [];
  const degraded: string[] = [];

  if (readings.memoryUsedRatio >= thresholds.memoryCritical) critical.push(`memory ${percent(readings.memoryUsedRatio)} used`);
  else if (readings.memoryUsedRatio >= thresholds.memoryDegraded)
    degraded.push(`memory ${percent(readings.memoryUsedRatio)} used`);

  const disk = readings.fullestFilesystem;
  if (disk && disk.usedRatio >= thresholds.diskCritical)
    critical.push(`filesystem ${disk.mountpoint} ${percent(disk.usedRatio)} full`);
  else if (disk && disk.usedRatio >= thresholds.diskDegraded)
    degraded.push(`filesystem ${disk.mountpoint} ${percent(disk.usedRatio)} full`);

  const broken = readings.componentsByState['BROKEN'] ?? 0;
  const errored = readings.componentsByState['ERRORED'] ?? 0;
  if (broken) critical.push(`${broken} component(s) BROKEN`);
  if (errored) degraded.push(`${errored} component(s) ERRORED`);

  // NATS itself is judged by the bus connection; its monitoring endpoint only adds metrics (lichen_nats_up).
  if (!readings.busConnected) degraded.push('not connected to the bus');
  if (!readings.redisUp) degraded.push('Redis unreachable');
  const temperature = readings.maxTemperatureCelsius;
  if (temperature !== undefined && temperature >= thresholds.temperatureDegradedCelsius)
    degraded.push(`temperature ${temperature} °C`);

  const status: HealthVerdict = critical.length ? 'CRITICAL' : degraded.length ? 'DEGRADED' : 'OK';
  return { status, problems: [...critical, ...degraded] };
}
