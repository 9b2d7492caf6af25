import type { JsonObject } from './json-value.js';

/** A device shadow as AWS IoT keeps it: the two state sections, when each leaf changed, a version. */
export interface ShadowDocument {
  readonly state: { readonly desired?: JsonObject; readonly reported?: JsonObject };
  /** Mirrors `state`: each leaf is `{ timestamp }` (seconds) of its last change; arrays count as leaves. */
  readonly metadata: { readonly desired?: JsonObject; readonly reported?: JsonObject };
  /** 1 when made, one more at every accepted update. */
  readonly version: number;
  /** Seconds since the epoch, of the last change. */
  readonly timestamp: number;
}

/** An update as a client sends it: sections to merge in (`null` deletes a section or a key). */
export interface ShadowUpdate {
  readonly state: { readonly desired?: JsonObject | null; readonly reported?: JsonObject | null };
  readonly clientToken?: string;
  /** When given, the update applies only to this version (an optimistic lock). */
  readonly version?: number;
}

export type ShadowSection = 'desired' | 'reported';
export const shadowSections: readonly ShadowSection[] = ['desired', 'reported'];
