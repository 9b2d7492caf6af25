import { timestampDate, type Timestamp } from '@bufbuild/protobuf/wkt';

/** A point in time as `2026-11-26 12:00:05Z` (UTC, to the second), or `-` when there is none. */
export function formatTime(time: Timestamp | undefined): string {
  if (!time) return '-';
  return `${timestampDate(time).toISOString().slice(0, 19).replace('T', ' ')}Z`;
}

/** A span in its two largest units, a zero second one left out: `45s`, `12m30s`, `15m`, `3h4m`, `2d3h`. */
export function formatSpan(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1_000));
  const [days, hours, minutes] = [
    Math.floor(seconds / 86_400),
    Math.floor((seconds % 86_400) / 3_600),
    Math.floor((seconds % 3_600) / 60),
  ];
  const pair = (big: number, bigUnit: string, small: number, smallUnit: string) =>
    `${big}${bigUnit}${small ? `${small}${smallUnit}` : ''}`;
  if (days) return pair(days, 'd', hours, 'h');
  if (hours) return pair(hours, 'h', minutes, 'm');
  if (minutes) return pair(minutes, 'm', seconds % 60, 's');
  return `${seconds}s`;
}

/** How long ago `time` was, seen at `now`: `12m30s`, or `-`. */
export function formatAge(time: Timestamp | undefined, now: Date): string {
  return time ? formatSpan(now.getTime() - timestampDate(time).getTime()) : '-';
}
