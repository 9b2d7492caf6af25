const utf8 = new TextDecoder('utf-8', { fatal: true });

/** C0 controls (line breaks and tabs among them), DEL and C1 controls: what would break a line or a terminal. */
const CONTROL = /\p{Cc}/u;

/** What a payload printed as text must not start with, lest it read as one printed in base64. */
const BASE64_PREFIX = 'base64:';

/**
 * A message as one line, for `lichen sub`: its subject, a space, then its payload. A payload prints as it came
 * when it is UTF-8 text without control characters; JSON spread over several lines prints compact (white space
 * outside strings dropped, every value as sent); anything else prints as `base64:` and its bytes in base64, as
 * does text that itself starts with `base64:`. An empty payload leaves the line ending in the space, so a script
 * can always split at the first space.
 */
export function formatMessageLine(subject: string, payload: Uint8Array): string {
  return `${subject} ${payloadText(payload)}`;
}

function payloadText(payload: Uint8Array): string {
  const text = decodeUtf8(payload);
  if (text === undefined || text.startsWith(BASE64_PREFIX)) return base64(payload);
  if (!CONTROL.test(text)) return text;
  const json = compactJson(text);
  return json !== undefined && !CONTROL.test(json) ? json : base64(payload);
}

function decodeUtf8(payload: Uint8Array): string | undefined {
  try {
    return utf8.decode(payload);
  } catch {
    return undefined;
  }
}

function base64(payload: Uint8Array): string {
  return `${BASE64_PREFIX}${Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('base64')}`;
}

/**
 * Valid JSON without the white space between its tokens; undefined when the text is not JSON. Not parsed and
 * printed again, which would change what was sent (`1.0` becomes `1`, a 20-digit id loses digits).
 */
function compactJson(text: string): string | undefined {
  try {
    JSON.parse(text);
  } catch {
    return undefined;
  }
  let compact = '';
  let inString = false;
  let escaped = false;
  for (const char of text) {
    if (inString) {
      if (escaped) escaped = false;
      else if (char === '\\') escaped = true;
      else if (char === '"') inString = false;
    } else if (char === '"') inString = true;
    else if (char === ' ' || char === '\t' || char === '\n' || char === '\r') continue;
    compact += char;
  }
  return compact;
}
