import { Gauge, type Registry } from 'prom-client';
import type { NatsServerStats, Probe, RedisServerStats, ServerProbe } from '../domain/servers/server-stats.js';
import { counter, gauge, registerFamilies, type MetricFamily } from './metric-family.js';
import { SharedRead } from './shared-read.js';

const natsFamilies: readonly MetricFamily<NatsServerStats>[] = [
  gauge('lichen_nats_connections', 'Client connections open on the NATS server.', (s) => s.connections),
  counter('lichen_nats_in_msgs_total', 'Messages the NATS server received.', (s) => s.inMsgs),
  counter('lichen_nats_out_msgs_total', 'Messages the NATS server sent.', (s) => s.outMsgs),
  counter('lichen_nats_in_bytes_total', 'Bytes the NATS server received.', (s) => s.inBytes),
  counter('lichen_nats_out_bytes_total', 'Bytes the NATS server sent.', (s) => s.outBytes),
  counter('lichen_nats_slow_consumers_total', 'Slow consumers the NATS server has seen.', (s) => s.slowConsumers),
  gauge('lichen_nats_jetstream_storage_bytes', 'File storage JetStream uses.', (s) => s.jetstream?.storageBytes),
  gauge('lichen_nats_jetstream_memory_bytes', 'Memory storage JetStream uses.', (s) => s.jetstream?.memoryBytes),
  gauge('lichen_nats_jetstream_streams', 'JetStream streams.', (s) => s.jetstream?.streams),
  gauge('lichen_nats_jetstream_messages', 'Messages held in JetStream streams.', (s) => s.jetstream?.messages),
];

const redisFamilies: readonly MetricFamily<RedisServerStats>[] = [
  gauge('lichen_redis_memory_used_bytes', 'Memory Redis has allocated.', (s) => s.usedMemoryBytes),
  gauge('lichen_redis_connected_clients', 'Clients connected to Redis.', (s) => s.connectedClients),
  gauge('lichen_redis_uptime_seconds', 'Seconds since Redis started.', (s) => s.uptimeSeconds),
  gauge('lichen_redis_aof_enabled', 'Whether Redis keeps an append-only file (1) or not (0).', (s) => Number(s.aofEnabled)),
  gauge('lichen_redis_aof_last_write_ok', 'Whether the last append-only file write succeeded (1) or failed (0).', (s) =>
    Number(s.aofLastWriteOk),
  ),
  gauge('lichen_redis_aof_rewrite_in_progress', 'Whether Redis is rewriting its append-only file (1) or not (0).', (s) =>
    Number(s.aofRewriteInProgress),
  ),
];

/** NATS server metrics from its monitoring endpoint; while it is unreachable only `lichen_nats_up 0` is reported. */
export function registerNatsMetrics(registry: Registry, probe: ServerProbe<NatsServerStats>): void {
  registerServer(
    registry,
    'lichen_nats_up',
    'Whether the NATS monitoring endpoint answered (1) or not (0).',
    probe,
    natsFamilies,
  );
}

/** Redis metrics from `INFO`; while Redis is unreachable only `lichen_redis_up 0` is reported. */
export function registerRedisMetrics(registry: Registry, probe: ServerProbe<RedisServerStats>): void {
  registerServer(registry, 'lichen_redis_up', 'Whether Redis answered INFO (1) or not (0).', probe, redisFamilies);
}

function registerServer<Stats>(
  registry: Registry,
  upName: string,
  upHelp: string,
  probe: ServerProbe<Stats>,
  families: readonly MetricFamily<Stats>[],
): void {
  // A reading serves one scrape's concurrent collects, not the next scrape.
  const latest = new SharedRead<Probe<Stats>>(() => probe.probe(), { maxAgeMs: 100 });
  new Gauge({
    name: upName,
    help: upHelp,
    registers: [registry],
    async collect() {
      this.set((await latest.get()).up ? 1 : 0);
    },
  });
  const stats = async () => {
    const result = await latest.get();
    return result.up ? result.stats : undefined;
  };
  registerFamilies(registry, families, { get: stats });
}
