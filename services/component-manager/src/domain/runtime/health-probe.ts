/** Checks that need the network: only an adapter opens sockets. */
export interface HealthProbe {
  /** True when host:port accepts a TCP connection before `signal` aborts. */
  tcp(host: string, port: number, signal: AbortSignal): Promise<boolean>;
}
