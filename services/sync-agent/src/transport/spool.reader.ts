import { BusError, type Bus } from '@lichen/bus';
import { cloudSpool } from '@lichen/contracts';
import { ensureCloudSpool, type SpoolLimits } from '@lichen/spool';
import type { Spool, SpoolReading, SpoolState } from '../domain/forward/spool.js';

/** The cloud spool stream on the bus, as the forwarder reads it. */
export class BusSpool implements Spool {
  constructor(
    private readonly bus: Bus,
    private readonly limits: SpoolLimits,
    private readonly buffer: number,
  ) {}

  /** The spool's state; a spool not made yet (the agent started first, NATS lost its store) is made here. */
  async state(): Promise<SpoolState> {
    const read = () => this.bus.jetstream.streamState(cloudSpool.stream);
    const { created, ...counts } = await read().catch(async (error: unknown) => {
      if (!(error instanceof BusError && error.kind === 'not-found')) throw error;
      await ensureCloudSpool(this.bus.jetstream, this.limits);
      return read();
    });
    return { identity: created, ...counts };
  }

  read(fromSeq: number): Promise<SpoolReading> {
    return this.bus.jetstream.read(cloudSpool.stream, fromSeq, { buffer: this.buffer });
  }

  async capturedAt(seq: number): Promise<number | undefined> {
    return (await this.bus.jetstream.storedMessage(cloudSpool.stream, { seq }))?.time.getTime();
  }
}
