import { freePort } from './free-port.js';
import { startServerProcess, type ServerProcess } from './server-process.js';

export interface RedisServerOptions {
  /** Append-only file on, fsync every write, as Lichen runs it. */
  aof?: boolean;
}

export interface TestRedisServer extends ServerProcess {
  readonly url: string;
}

/** Starts a throwaway `redis-server` on a free port, for tests that need their own. */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<TestRedisServer> {
  const port = await freePort();
  const server = await startServerProcess({
    name: 'redis-server',
    command: process.env.REDIS_SERVER_BIN ?? 'redis-server',
    port,
    args: (dataDir) => [
      '--bind',
      '127.0.0.1',
      '--port',
      String(port),
      '--dir',
      dataDir,
      '--save',
      '',
      '--appendonly',
      options.aof ? 'yes' : 'no',
      ...(options.aof ? ['--appendfsync', 'always'] : []),
    ],
  });
  return Object.assign(server, { url: `redis://127.0.0.1:${port}` });
}
