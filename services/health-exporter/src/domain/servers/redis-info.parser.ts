import type { RedisServerStats } from './server-stats.js';

/** The `key:value` fields of a Redis `INFO` reply, section headers and blank lines skipped. */
export function parseRedisInfoFields(info: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of info.split(/\r?\n/)) {
    if (!line || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1).trim());
  }
  return fields;
}

/** The stats the exporter reports from a Redis `INFO` reply; a missing number reads as 0. */
export function parseRedisInfo(info: string): RedisServerStats {
  const fields = parseRedisInfoFields(info);
  const number = (key: string) => {
    const value = Number(fields.get(key));
    return Number.isFinite(value) ? value : 0;
  };
  return {
    version: fields.get('redis_version') ?? 'unknown',
    uptimeSeconds: number('uptime_in_seconds'),
    usedMemoryBytes: number('used_memory'),
    connectedClients: number('connected_clients'),
    aofEnabled: fields.get('aof_enabled') === '1',
    aofLastWriteOk: (fields.get('aof_last_write_status') ?? 'ok') === 'ok',
    aofRewriteInProgress: fields.get('aof_rewrite_in_progress') === '1',
  };
}
