import type { DynamicModule, InjectionToken } from '@nestjs/common';
import type { z } from '@lichen/config';
import type { Logger } from '@lichen/logging';
import type { HealthCheck } from '@lichen/metrics';

/** A service's own `LICHEN_*` variables, as a zod shape (see `loadConfig`). */
export type ConfigShape = Record<string, z.ZodType>;
export type ConfigOf<S extends ConfigShape> = Readonly<z.output<z.ZodObject<S>>>;

/** Where the services of this process find the device and its servers, settled by the host before they start. */
export interface HostSettings {
  readonly deviceId: string;
  /** Absolute path of Lichen's data folder. */
  readonly dataDir: string;
  readonly natsUrl: string;
  /** NATS's HTTP monitoring endpoint; it may not answer (a NATS started without `-m`). */
  readonly natsMonitorUrl: string;
  readonly redisUrl: string;
  /** The cloud spool's bounds (`LICHEN_SPOOL_MAX_BYTES`, `LICHEN_SPOOL_MAX_AGE`), for whichever service ensures it. */
  readonly spool: { readonly maxBytes: number; readonly maxAgeMs: number };
}

/** What the host hands a service when it builds the service's module. The bus and the metrics registry are
 * injected (`Bus`, `METRICS_REGISTRY`), one for the whole process. */
export interface ServiceContext<C> {
  readonly name: string;
  readonly config: C;
  readonly host: HostSettings;
  /** The process's logger, with `service` set to this service. */
  readonly logger: Logger;
}

/** Looks up a provider of a service's module once the process is built. */
export type Resolve = <T>(token: InjectionToken<T>) => T;

/**
 * A service, as the runtime host sees it: a name, the variables it reads, its Nest module, and the checks
 * `/healthz` runs for it. Adding a service to Lichen is one descriptor and one catalogue entry.
 */
export interface ServiceDescriptor<S extends ConfigShape = ConfigShape> {
  readonly name: string;
  readonly config: S;
  module(context: ServiceContext<ConfigOf<S>>): DynamicModule;
  /** Named readiness checks, beyond the bus connection the host checks for everyone. */
  readiness?(resolve: Resolve): Record<string, HealthCheck>;
}

/** Declares a service; only here so the config type flows from `config` into `module`. */
export function defineService<S extends ConfigShape>(descriptor: ServiceDescriptor<S>): ServiceDescriptor<S> {
  return descriptor;
}
