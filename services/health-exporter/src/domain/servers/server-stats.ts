/** What the exporter reads from the NATS server's monitoring endpoint (`/varz`, `/jsz`). */
export interface NatsServerStats {
  version: string;
  connections: number;
  inMsgs: number;
  outMsgs: number;
  inBytes: number;
  outBytes: number;
  slowConsumers: number;
  jetstream?: { storageBytes: number; memoryBytes: number; streams: number; consumers: number; messages: number };
}

/** What the exporter reads from Redis `INFO`. */
export interface RedisServerStats {
  version: string;
  uptimeSeconds: number;
  usedMemoryBytes: number;
  connectedClients: number;
  aofEnabled: boolean;
  /** False when the last AOF write failed: the device is losing state. */
  aofLastWriteOk: boolean;
  aofRewriteInProgress: boolean;
}

/** A reading that may fail: the server is down, or answered nonsense. */
export type Probe<T> = { up: true; stats: T } | { up: false; error: string };

/** Reads a server's stats; never throws, a failure is `{ up: false }`. */
export interface ServerProbe<T> {
  probe(): Promise<Probe<T>>;
}
