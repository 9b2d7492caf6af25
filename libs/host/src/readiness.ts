import type { Bus } from '@lichen/bus';
import { redactServer } from '@lichen/bus';
import { failingChecks, type HealthCheck } from '@lichen/metrics';

/**
 * What `/healthz` and `lichen_service_ready` both judge by: the process's own checks (the bus, each server Lichen
 * runs itself), which every service depends on, and each service's checks.
 */
export class Readiness {
  readonly #process: Record<string, HealthCheck>;

  constructor(
    bus: Bus,
    natsUrl: string,
    ownServers: ReadonlyMap<string, { problem(): string | undefined }>,
    private readonly services: ReadonlyMap<string, Record<string, HealthCheck>>,
  ) {
    this.#process = { bus: () => (bus.connected ? undefined : `not connected to NATS at ${redactServer(natsUrl)}`) };
    for (const [name, server] of ownServers) this.#process[name] = () => server.problem();
  }

  /** Every check by name: the process's as they are, a service's as `<service>.<check>`. */
  get checks(): Record<string, HealthCheck> {
    const checks = { ...this.#process };
    for (const [service, own] of this.services) {
      for (const [name, check] of Object.entries(own)) checks[`${service}.${name}`] = check;
    }
    return checks;
  }

  get serviceNames(): string[] {
    return [...this.services.keys()];
  }

  async ready(service: string): Promise<boolean> {
    const problems = await failingChecks({ ...this.#process, ...this.services.get(service) });
    return problems.length === 0;
  }
}
