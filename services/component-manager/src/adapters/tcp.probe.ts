import { connect } from 'node:net';
import type { HealthProbe } from '../domain/runtime/health-probe.js';

/** The TCP health check: a port that accepts a connection is healthy. */
export class TcpProbe implements HealthProbe {
  tcp(host: string, port: number, signal: AbortSignal): Promise<boolean> {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve(false);
      const socket = connect({ host, port });
      const finish = (healthy: boolean) => {
        signal.removeEventListener('abort', onAbort);
        socket.destroy();
        resolve(healthy);
      };
      const onAbort = () => finish(false);
      signal.addEventListener('abort', onAbort, { once: true });
      socket.once('connect', () => finish(true));
      socket.once('error', () => finish(false));
    });
  }
}
