import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { LichenError } from '@lichen/errors';
import type { Logger } from '@lichen/logging';

/** A readiness check for `/healthz`: resolves to a problem description, or undefined when healthy. */
export type HealthCheck = () => Promise<string | undefined> | string | undefined;

export interface MetricsServerOptions {
  registry: Registry;
  host: string;
  port: number;
  logger: Logger;
  /** Named checks for `/healthz`; the endpoint answers 503 while any reports a problem. */
  checks?: Record<string, HealthCheck>;
}

/** The metrics endpoint could not listen: the port is taken, or the address is not this machine's. */
export class MetricsListenError extends LichenError {
  constructor(message: string, options?: ErrorOptions) {
    super('METRICS_LISTEN_FAILED', 'unavailable', message, { cause: options?.cause });
    this.name = 'MetricsListenError';
  }
}

/** The only HTTP a Lichen service serves: `GET /metrics` (Prometheus text) and `GET /healthz` (JSON). */
export class MetricsServer {
  #server: Server | undefined;

  constructor(private readonly options: MetricsServerOptions) {}

  async start(): Promise<number> {
    const server = createServer((request, response) => void this.#handle(request, response));
    server.keepAliveTimeout = 65_000;
    const { host, port } = this.options;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) => {
        const reason = error.code === 'EADDRINUSE' ? 'the port is in use (LICHEN_METRICS_PORT picks another)' : error.message;
        reject(new MetricsListenError(`cannot serve metrics on ${host}:${port}: ${reason}`, { cause: error }));
      });
      server.listen(port, host, () => resolve());
    });
    this.#server = server;
    const listening = (server.address() as AddressInfo).port;
    this.options.logger.info({ host, port: listening }, 'metrics server listening');
    return listening;
  }

  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' && request.method !== 'HEAD') return reply(response, 405, 'text/plain', 'method not allowed\n');
    try {
      if (path === '/metrics') {
        return reply(response, 200, this.options.registry.contentType, await this.options.registry.metrics());
      }
      if (path === '/healthz') {
        const problems = await this.#problems();
        const body = JSON.stringify({ status: problems.length ? 'unhealthy' : 'ok', problems });
        return reply(response, problems.length ? 503 : 200, 'application/json', body);
      }
      return reply(response, 404, 'text/plain', 'not found: try /metrics or /healthz\n');
    } catch (error) {
      this.options.logger.error({ err: error, path }, 'metrics endpoint failed');
      return reply(response, 500, 'text/plain', 'internal error\n');
    }
  }

  async #problems(): Promise<string[]> {
    return failingChecks(this.options.checks ?? {});
  }
}

/**
 * Runs every check at once and names the failing ones (`redis: connection refused`). A check that throws has
 * failed, with its error as the problem: `/healthz` says which check broke rather than answering 500.
 */
export async function failingChecks(checks: Readonly<Record<string, HealthCheck>>): Promise<string[]> {
  const results = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      try {
        return [name, await check()] as const;
      } catch (error) {
        return [name, `check failed: ${(error as Error)?.message ?? String(error)}`] as const;
      }
    }),
  );
  return results.filter(([, problem]) => problem).map(([name, problem]) => `${name}: ${problem}`);
}

function reply(response: ServerResponse, status: number, contentType: string, body: string): void {
  response.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) });
  response.end(body);
}
