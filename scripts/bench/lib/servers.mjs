// The NATS (JetStream, monitoring) and Redis (AOF) a benchmark runs Lichen on, each on a free port, data in tmpDir.
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, which } from './host.mjs';
import { start, waitForHttp } from './processes.mjs';

/** Starts both (stopped by processes.mjs's stopAll with the rest) and returns their URLs and nats-server's pid. */
export async function startServers(tmpDir) {
  const natsBin = which('nats-server');
  const redisBin = which('redis-server');
  if (!natsBin || !redisBin) throw new Error('nats-server and redis-server are needed: apt-get install nats-server redis-server');
  const [natsPort, monitorPort, redisPort] = [await freePort(), await freePort(), await freePort()];
  const options = { cwd: tmpDir, env: process.env, logDir: tmpDir };
  const nats = start(
    'nats-server',
    natsBin,
    ['-a', '127.0.0.1', '-p', String(natsPort), '-m', String(monitorPort), '-js', '-sd', join(tmpDir, 'js')],
    options,
  );
  const redis = start(
    'redis-server',
    redisBin,
    ['--bind', '127.0.0.1', '--port', String(redisPort), '--save', '', '--appendonly', 'yes', '--dir', tmpDir],
    options,
  );
  await waitForHttp(`http://127.0.0.1:${monitorPort}/varz`, 15_000, nats);
  await sleep(300);
  if (redis.exited) throw new Error('redis-server did not start');
  return {
    natsUrl: `nats://127.0.0.1:${natsPort}`,
    natsMonitorUrl: `http://127.0.0.1:${monitorPort}`,
    redisUrl: `redis://127.0.0.1:${redisPort}`,
    natsPid: nats.child.pid,
  };
}

/**
 * The environment of a Lichen process on these servers: its own data folder, device id and /metrics port on
 * loopback, logging warnings only; `extra` (a service's own variables) last.
 */
export function lichenEnvironment(servers, { dataDir, deviceId, metricsPort }, extra = {}) {
  return {
    ...process.env,
    LICHEN_DATA_DIR: dataDir,
    LICHEN_DEVICE_ID: deviceId,
    LICHEN_NATS_URL: servers.natsUrl,
    LICHEN_NATS_MONITOR_URL: servers.natsMonitorUrl,
    LICHEN_REDIS_URL: servers.redisUrl,
    LICHEN_METRICS_HOST: '127.0.0.1',
    LICHEN_METRICS_PORT: String(metricsPort),
    LICHEN_LOG_LEVEL: 'warn',
    ...extra,
  };
}
