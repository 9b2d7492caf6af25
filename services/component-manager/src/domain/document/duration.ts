export type ParsedDuration = { ok: true; ms: number } | { ok: false; reason: string };

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
const SEGMENT = /(\d+(?:\.\d+)?)(ms|s|m|h)/y;

/** Node's timers fire at once for anything longer (2^31 - 1 ms, about 24.8 days), so a longer one is refused. */
export const MAX_DURATION_MS = 2 ** 31 - 1;

/**
 * Reads a duration as Go writes it, limited to what Lichen's timers can use: `500ms`, `30s`, `5m`, `1h`,
 * `1m30s`, `1.5s`, into whole milliseconds. A bare number is refused: `30` could be seconds or milliseconds.
 */
export function parseDuration(text: string): ParsedDuration {
  const trimmed = text.trim();
  const notADuration = { ok: false, reason: `"${text}" is not a duration (use 500ms, 30s, 5m, 1h)` } as const;
  if (trimmed === '') return notADuration;
  let ms = 0;
  SEGMENT.lastIndex = 0;
  while (SEGMENT.lastIndex < trimmed.length) {
    const match = SEGMENT.exec(trimmed);
    if (!match) return notADuration;
    const [, amount = '', unit = ''] = match;
    ms += Number(amount) * (UNIT_MS[unit] ?? Number.NaN);
  }
  const rounded = Math.round(ms);
  if (rounded > MAX_DURATION_MS) return { ok: false, reason: `"${text}" is too long (at most 596h)` };
  return { ok: true, ms: rounded };
}
