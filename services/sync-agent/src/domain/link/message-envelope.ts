/**
 * How a message's id travels on MQTT 3.1.1, which has no user properties: the payload is wrapped as
 * `{"id":"<id>","payload":<the JSON payload>}`, or `{"id":"<id>","payloadBase64":"..."}` when the payload is not
 * JSON. MQTT 5 carries the id as the user property `lichen-message-id` and leaves the payload alone.
 */
export const MESSAGE_ID_PROPERTY = 'lichen-message-id';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function envelope(messageId: string, payload: Uint8Array): Uint8Array {
  const id = JSON.stringify(messageId);
  const json = jsonText(payload);
  const body =
    json === undefined
      ? `{"id":${id},"payloadBase64":${JSON.stringify(Buffer.from(payload).toString('base64'))}}`
      : `{"id":${id},"payload":${json}}`;
  return encoder.encode(body);
}

/** The payload's text when it is one JSON value (kept byte for byte), else undefined. */
function jsonText(payload: Uint8Array): string | undefined {
  try {
    const text = decoder.decode(payload);
    JSON.parse(text);
    return text.trim() ? text : undefined;
  } catch {
    return undefined;
  }
}
