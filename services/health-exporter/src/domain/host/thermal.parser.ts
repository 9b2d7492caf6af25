/** Parses a `/sys/class/thermal/thermal_zoneN/temp` file: an integer in millidegrees Celsius. */
export function parseThermalTemp(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^-?\d+$/.test(trimmed)) return undefined;
  return Number(trimmed) / 1000;
}
