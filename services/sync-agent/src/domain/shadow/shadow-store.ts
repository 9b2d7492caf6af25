import type { JsonValue } from './json-value.js';
import type { ShadowAddress } from './shadow-address.js';
import type { ShadowDocument } from './shadow-document.js';

/** What the device keeps of one shadow, written and read as a whole. */
export interface StoredShadow {
  /** The shadow; absent once deleted (the record may stay for `deleted` or `sync`). */
  readonly document?: ShadowDocument;
  /**
   * The version the shadow had when it was last deleted, and when (milliseconds since the epoch): a shadow made
   * again soon after continues from it, as AWS IoT does within 48 hours.
   */
  readonly deleted?: { readonly version: number; readonly at: number };
  /** The cloud sync's own record of this shadow, opaque here. */
  readonly sync?: JsonValue;
}

/** Where shadows live (Redis): one record per shadow, replaced as a whole, so a write is never half done. */
export interface ShadowStore {
  read(address: ShadowAddress): Promise<StoredShadow | undefined>;
  /**
   * Replaces the record; `undefined` removes it. With `expireAt` (milliseconds since the epoch) the store may
   * drop the record from then on: nothing is lost if it keeps it longer.
   */
  write(address: ShadowAddress, record: StoredShadow | undefined, options?: { expireAt?: number }): Promise<void>;
  /** Every record, in no particular order. */
  list(): Promise<{ address: ShadowAddress; record: StoredShadow }[]>;
}
