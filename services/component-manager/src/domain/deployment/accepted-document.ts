import type { JsonObject } from '../component/component-spec.js';
import type { Violation } from '@lichen/errors';
import type { ClientDeviceSpec } from '../document/valid-deployment.js';
import type { DesiredComponents } from '../planning/deployment.planner.js';

/** A deployment document that passed validation, in the form the coordinator runs and stores. */
export interface AcceptedDocument extends DesiredComponents {
  readonly name: string;
  readonly revision: number;
  readonly target: string;
  readonly failurePolicy: 'rollback' | 'none';
  readonly timeoutMs: number;
  /** MQTT client devices, whose bus users the deployment brings. */
  readonly devices: Readonly<Record<string, ClientDeviceSpec>>;
  /** The document's JSON form, normalized: stored, and validated again when it is read back. */
  readonly json: JsonObject;
}

export type DocumentVerdict = { ok: true; document: AcceptedDocument } | { ok: false; violations: Violation[] };

/** Checks a parsed document (from YAML, JSON or the proto message) against the device. */
export type DocumentValidator = (input: unknown) => DocumentVerdict;
