import { describe, expect, it } from 'vitest';
import { parseRedisInfo } from './redis-info.parser.js';

const info = [
  '# Server',
  'redis_version:7.0.15',
  'uptime_in_seconds:3605',
  '',
  '# Clients',
  'connected_clients:4',
  '',
  '# Memory',
  'used_memory:1048576',
  'used_memory_human:1.00M',
  '',
  '# Persistence',
  'aof_enabled:1',
  'aof_rewrite_in_progress:0',
  'aof_last_write_status:err',
  '',
].join('\r\n');

describe('parseRedisInfo', () => {
  it('reads the fields the exporter reports', () => {
    expect(parseRedisInfo(info)).toEqual({
      version: '7.0.15',
      uptimeSeconds: 3605,
      usedMemoryBytes: 1048576,
      connectedClients: 4,
      aofEnabled: true,
      aofLastWriteOk: false,
      aofRewriteInProgress: false,
    });
  });

  it('reads a Redis without AOF, and missing numbers as 0', () => {
    expect(parseRedisInfo('redis_version:6.2.0\naof_enabled:0\nused_memory:oops\n')).toMatchObject({
      version: '6.2.0',
      aofEnabled: false,
      aofLastWriteOk: true,
      usedMemoryBytes: 0,
      connectedClients: 0,
    });
  });
});
