import { Counter, type Registry } from 'prom-client';
import type { SyncCounts } from '../domain/sync/shadow-sync.js';

/** The shadow sync's counts on `/metrics`, read at scrape time. */
export function registerShadowSyncMetrics(registry: Registry, counts: SyncCounts): void {
  new Counter({
    name: 'lichen_shadow_syncs_total',
    help: 'Shadow syncs with the cloud, by result: synced, conflict (a side changed in between; tried again), failed (tried again later).',
    labelNames: ['result'],
    registers: [registry],
    collect() {
      this.reset();
      this.inc({ result: 'synced' }, counts.synced);
      this.inc({ result: 'conflict' }, counts.conflicts);
      this.inc({ result: 'failed' }, counts.failed);
    },
  });
}
