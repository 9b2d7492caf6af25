import { join } from 'node:path';
import type { HostSettings } from '@lichen/host';
import type { Logger } from '@lichen/logging';
import { DockerAdapter } from './adapters/docker.adapter.js';
import { ProcessAdapter } from './adapters/process.adapter.js';
import type { ManagerConfig } from './config.js';
import type { ComponentRuntime } from './domain/runtime/component-runtime.js';
import { RuntimeSet } from './domain/runtime/runtime-set.js';

/**
 * The runtimes this device gets, from `LICHEN_RUNTIMES`: `auto` is process always, and docker when an engine
 * answers at start (said in one line either way); naming `docker` requires the engine.
 */
export async function componentRuntimes(config: ManagerConfig, host: HostSettings, logger: Logger): Promise<RuntimeSet> {
  const log = (event: string, fields: Record<string, unknown>) => logger.info(fields, event);
  const wanted = config.runtimes === 'auto' ? ['docker', 'process'] : config.runtimes.split(',');
  const runtimes: { docker?: ComponentRuntime; process?: ComponentRuntime } = {};
  if (wanted.includes('process')) runtimes.process = new ProcessAdapter({ root: join(host.dataDir, 'components'), log });
  if (wanted.includes('docker')) {
    const docker = new DockerAdapter({
      deviceId: host.deviceId,
      socketPath: config.dockerSocket,
      dockerConfigDir: config.dockerConfig,
      log,
    });
    if (await docker.available()) {
      runtimes.docker = docker;
      logger.info({ socket: config.dockerSocket }, 'docker runtime: engine found');
    } else if (config.runtimes === 'auto') {
      await docker.close();
      logger.info({ socket: config.dockerSocket }, 'docker runtime off: no Docker engine answers; process components only');
    } else {
      await docker.close();
      throw new Error(`LICHEN_RUNTIMES names docker, but no Docker engine answers on ${config.dockerSocket}`);
    }
  }
  return new RuntimeSet(runtimes);
}
