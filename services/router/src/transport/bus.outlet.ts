import { Bus, BusError, type HeadersInit } from '@lichen/bus';
import { subjects } from '@lichen/contracts';
import type { MsgHdrs } from '@nats-io/transport-node';
import { headerRecord, HOPS_HEADER, type HeaderView } from '../domain/inbound-message.js';
import { ModelCallError, type ModelAnswer, type RouteOutlet } from '../domain/route-outlet.js';

/** The router's deliveries over the bus: raw publishes, the cloud spool through JetStream, model requests. */
export class BusOutlet implements RouteOutlet {
  constructor(
    private readonly bus: Bus,
    private readonly settings: { modelTimeoutMs: number; spoolTimeoutMs: number },
  ) {}

  publish(subject: string, data: Uint8Array, headers: HeaderView | undefined, hops: number | undefined): void {
    this.bus.publishRaw(subject, data, { headers: withHops(headers, hops) });
  }

  async spool(subject: string, data: Uint8Array, headers: HeaderView | undefined, hops: number | undefined): Promise<void> {
    await this.bus.jetstream.publishDurable(subject, data, {
      headers: withHops(headers, hops),
      timeoutMs: this.settings.spoolTimeoutMs,
    });
  }

  async ask(model: string, data: Uint8Array, headers: HeaderView | undefined, hops: number | undefined): Promise<ModelAnswer> {
    try {
      return await this.bus.requestRaw(subjects.inference.infer.subject(model), data, {
        headers: withHops(headers, hops),
        timeoutMs: this.settings.modelTimeoutMs,
      });
    } catch (error) {
      const code = error instanceof BusError ? error.code : '';
      const kind = code === 'BUS_NO_RESPONDERS' ? 'unavailable' : code === 'BUS_TIMEOUT' ? 'timeout' : 'error';
      throw new ModelCallError(kind, (error as Error).message);
    }
  }
}

/** The message's own headers, or a copy with the hop count when it may reach another route. */
function withHops(headers: HeaderView | undefined, hops: number | undefined): HeadersInit | undefined {
  if (hops === undefined) return headers as MsgHdrs | undefined;
  return { ...headerRecord(headers), [HOPS_HEADER]: String(hops) };
}
