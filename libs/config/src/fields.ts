import { z } from 'zod';
import { Secret } from './secret.js';

const durationUnits: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** A duration such as `500ms`, `30s`, `5m` or `1h` (a bare number is milliseconds), as milliseconds. */
export function duration() {
  return z
    .string()
    .trim()
    .transform((text, ctx) => {
      const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text);
      if (!match) {
        ctx.addIssue({ code: 'custom', message: `expected a duration like 500ms, 30s, 5m or 1h, got "${text}"` });
        return z.NEVER;
      }
      return Number(match[1]) * (durationUnits[match[2] ?? 'ms'] ?? 1);
    });
}

/** A TCP port, 1 to 65535. */
export function port() {
  return z.coerce
    .number({ error: 'expected a port number' })
    .int('expected a whole port number')
    .min(1, 'expected a port from 1 to 65535')
    .max(65535, 'expected a port from 1 to 65535');
}

/** A URL with one of the given schemes. */
export function url(...schemes: string[]) {
  return z.string().refine(
    (text) => {
      try {
        return schemes.length === 0 || schemes.includes(new URL(text).protocol.replace(/:$/, ''));
      } catch {
        return false;
      }
    },
    { message: `expected a URL${schemes.length ? ` (${schemes.join(', ')})` : ''}` },
  );
}

/** `true`/`false` (also 1/0, yes/no, on/off). */
export function flag() {
  return z
    .string()
    .trim()
    .toLowerCase()
    .transform((text, ctx) => {
      if (['true', '1', 'yes', 'on'].includes(text)) return true;
      if (['false', '0', 'no', 'off'].includes(text)) return false;
      ctx.addIssue({ code: 'custom', message: `expected true or false, got "${text}"` });
      return z.NEVER;
    });
}

/** A secret string: logged as `[redacted]`, read with `.reveal()`. */
export function secret() {
  return z.string().transform((text) => new Secret(text));
}
