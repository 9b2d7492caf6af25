import type { NatsServerStats, Probe, ServerProbe } from '../domain/servers/server-stats.js';

interface Varz {
  version: string;
  connections: number;
  in_msgs: number;
  out_msgs: number;
  in_bytes: number;
  out_bytes: number;
  slow_consumers: number;
}

interface Jsz {
  disabled?: boolean;
  config?: unknown;
  memory: number;
  storage: number;
  streams: number;
  consumers: number;
  messages: number;
}

/** Reads the NATS server's HTTP monitoring endpoint (`/varz`, `/jsz`): the only code that knows its shape. */
export class NatsMonitorAdapter implements ServerProbe<NatsServerStats> {
  constructor(
    private readonly monitorUrl: string,
    private readonly timeoutMs: number,
  ) {}

  async probe(): Promise<Probe<NatsServerStats>> {
    try {
      const [varz, jsz] = await Promise.all([this.#get<Varz>('/varz'), this.#get<Jsz>('/jsz').catch(() => undefined)]);
      const jetstreamOn = jsz && !jsz.disabled && jsz.config !== null && jsz.config !== undefined;
      return {
        up: true,
        stats: {
          version: varz.version,
          connections: varz.connections,
          inMsgs: varz.in_msgs,
          outMsgs: varz.out_msgs,
          inBytes: varz.in_bytes,
          outBytes: varz.out_bytes,
          slowConsumers: varz.slow_consumers,
          jetstream: jetstreamOn
            ? {
                storageBytes: jsz.storage,
                memoryBytes: jsz.memory,
                streams: jsz.streams,
                consumers: jsz.consumers,
                messages: jsz.messages,
              }
            : undefined,
        },
      };
    } catch (error) {
      return { up: false, error: error instanceof Error ? error.message : String(error) };
    }
  }

  async #get<T>(path: string): Promise<T> {
    const response = await fetch(new URL(path, this.monitorUrl), { signal: AbortSignal.timeout(this.timeoutMs) });
    if (!response.ok) throw new Error(`${path} answered ${response.status}`);
    return (await response.json()) as T;
  }
}
