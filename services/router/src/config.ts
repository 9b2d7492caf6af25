import { duration } from '@lichen/config';

/** The router's own `LICHEN_*` variables. */
export const routerConfigShape = {
  /** How long a `model:` route waits for the inference service's answer. */
  routerModelTimeout: duration().default(5_000),
  /** How long a `cloud:` route waits for the spool stream to acknowledge a message. */
  routerSpoolTimeout: duration().default(5_000),
};

export type RouterConfig = Readonly<{ routerModelTimeout: number; routerSpoolTimeout: number }>;
