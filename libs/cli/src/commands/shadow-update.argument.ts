import { create, fromJson, type JsonValue } from '@bufbuild/protobuf';
import { ValueSchema } from '@bufbuild/protobuf/wkt';
import { ShadowUpdateRequestSchema, type ShadowUpdateRequest } from '@lichen/contracts';

/** How `lichen shadow update` was given its update: AWS IoT's JSON, or the section shortcuts. */
export interface ShadowUpdateInput {
  /** `{"state":{"desired":{...}}}`, as AWS IoT takes it. */
  document?: string;
  /** The `desired` section alone, as JSON (`null` deletes it). */
  desired?: string;
  reported?: string;
  version?: number;
}

/**
 * The update request the command sends. The JSON is read strictly, so a misspelt field (`desird`) is said here
 * instead of being dropped on the way; whether the update is acceptable (sizes, depth, values) is the sync
 * agent's to say. Throws an `Error` whose message is written for the operator.
 */
export function readShadowUpdate(input: ShadowUpdateInput): ShadowUpdateRequest {
  const shortcuts = input.desired !== undefined || input.reported !== undefined;
  if (input.document !== undefined && shortcuts) {
    throw new Error('give the update either as JSON or with --desired / --reported, not both');
  }
  let request: ShadowUpdateRequest;
  if (input.document !== undefined) {
    request = fromDocument(input.document);
  } else if (shortcuts) {
    request = create(ShadowUpdateRequestSchema, {
      state: {
        ...(input.desired !== undefined ? { desired: section('--desired', input.desired) } : {}),
        ...(input.reported !== undefined ? { reported: section('--reported', input.reported) } : {}),
      },
    });
  } else {
    throw new Error(
      'nothing to update: give the update as JSON, e.g. \'{"state":{"desired":{"on":true}}}\', or --desired / --reported',
    );
  }
  if (input.version !== undefined) request.version = input.version;
  return request;
}

function fromDocument(text: string): ShadowUpdateRequest {
  const json = parse(text, 'the update');
  try {
    return fromJson(ShadowUpdateRequestSchema, json);
  } catch (error) {
    throw new Error(`the update is not a shadow update (${reason(error)}): it is {"state":{"desired":{...},"reported":{...}}}`, {
      cause: error,
    });
  }
}

function section(option: string, text: string) {
  return fromJson(ValueSchema, parse(text, option));
}

function parse(text: string, what: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch (error) {
    const hint = /^[A-Za-z0-9:_-]+$/.test(text) ? ` (to update the shadow "${text}", give the update after its name)` : '';
    throw new Error(`${what} is not JSON: ${reason(error)}${hint}`, { cause: error });
  }
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
