import { freePort } from './free-port.js';
import { startServerProcess, type ServerProcess } from './server-process.js';

export interface NatsServerOptions {
  /** The client port; a free one when not given. */
  port?: number;
  jetstream?: boolean;
  /** Opens the HTTP monitoring port (`/varz`, `/jsz`, ...). */
  monitoring?: boolean;
  extraArgs?: string[];
}

export interface TestNatsServer extends ServerProcess {
  readonly url: string;
  readonly monitorUrl?: string;
}

/** Starts a throwaway `nats-server` on free ports, for tests that need their own. */
export async function startNatsServer(options: NatsServerOptions = {}): Promise<TestNatsServer> {
  const port = options.port ?? (await freePort());
  const monitorPort = options.monitoring ? await freePort() : undefined;
  const server = await startServerProcess({
    name: 'nats-server',
    command: process.env.NATS_SERVER_BIN ?? 'nats-server',
    port,
    args: (dataDir) => [
      '-a',
      '127.0.0.1',
      '-p',
      String(port),
      ...(options.jetstream ? ['-js', '-sd', dataDir] : []),
      ...(monitorPort ? ['-m', String(monitorPort)] : []),
      ...(options.extraArgs ?? []),
    ],
  });
  return Object.assign(server, {
    url: `nats://127.0.0.1:${port}`,
    monitorUrl: monitorPort ? `http://127.0.0.1:${monitorPort}` : undefined,
  });
}
