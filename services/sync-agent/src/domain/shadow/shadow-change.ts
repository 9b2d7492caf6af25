import type { ShadowAddress } from './shadow-address.js';
import type { ShadowDocument, ShadowUpdate } from './shadow-document.js';

/** Who asked for a change: a client on the device, or the cloud sync applying the cloud's shadow. */
export type ShadowOrigin = 'local' | 'cloud';

/** An accepted update or delete, told to every `onChange` listener once it is stored. */
export interface ShadowChange extends ShadowAddress {
  /** The shadow before; absent when the change made it. */
  readonly previous?: ShadowDocument;
  /** The shadow after; absent when the change deleted it. */
  readonly current?: ShadowDocument;
  /** The update as accepted; absent for a delete. */
  readonly update?: ShadowUpdate;
  readonly clientToken?: string;
  readonly origin: ShadowOrigin;
  /** Seconds since the epoch. */
  readonly timestamp: number;
}
