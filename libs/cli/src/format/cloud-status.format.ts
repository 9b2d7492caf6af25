import { timestampDate } from '@bufbuild/protobuf/wkt';
import { CloudLinkState, type CloudStatus } from '@lichen/contracts';
import { formatSpan } from './time.format.js';

const stateNames: Readonly<Record<CloudLinkState, string>> = {
  [CloudLinkState.UNSPECIFIED]: 'unknown',
  [CloudLinkState.CONNECTING]: 'connecting',
  [CloudLinkState.CONNECTED]: 'connected',
  [CloudLinkState.DISCONNECTED]: 'disconnected',
  [CloudLinkState.DISABLED]: 'disabled',
};

/** `lichen cloud`: the link (state, since when, the last error), then the spool, one fact a line. */
export function formatCloudStatus(status: CloudStatus, now: Date): string[] {
  const link = status.link;
  const state = stateNames[link?.state ?? CloudLinkState.UNSPECIFIED];
  const since = link?.since ? ` for ${formatSpan(now.getTime() - timestampDate(link.since).getTime())}` : '';
  const retry =
    link?.state === CloudLinkState.DISCONNECTED && link.retryInSeconds
      ? `, next attempt within ${formatSpan(link.retryInSeconds * 1_000)}`
      : '';
  if (link?.state === CloudLinkState.DISABLED) {
    return [
      'link        disabled: no cloud is configured (set LICHEN_CLOUD_URL); shadows and the spool stay on the device',
      ...spoolLines(status),
    ];
  }
  const lines = [`link        ${state}${since}${retry}`];
  if (link?.endpoint)
    lines.push(`broker      ${link.endpoint} (MQTT ${status.protocolVersion === 5 ? '5' : '3.1.1'}, client id ${link.clientId})`);
  if (link?.lastError) lines.push(`last error  ${link.lastError}`);
  if (status.subscriptions.length) lines.push(`subscribed  ${status.subscriptions.join(', ')}`);
  return [...lines, ...spoolLines(status)];
}

function spoolLines({ spool }: CloudStatus): string[] {
  const lines: string[] = [];
  if (spool) {
    if (spool.depth === undefined) lines.push('spool       cannot be read now (is NATS up?)');
    else {
      const oldest = spool.depth > 0n ? `, oldest ${formatSpan(spool.oldestAgeSeconds * 1_000)} old` : '';
      lines.push(`spool       ${spool.depth} waiting${oldest}, ${formatBytes(Number(spool.bytes ?? 0n))} on disk`);
    }
    const refused = spool.refused ? `, refused by the broker ${spool.refused}` : '';
    lines.push(
      `forwarded   ${spool.forwarded}, dropped ${spool.dropped}${refused}, sent again ${spool.duplicateSuspects} (since the agent started)`,
    );
  }
  return lines;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}
