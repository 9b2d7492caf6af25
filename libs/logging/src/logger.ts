import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

export interface LoggerSettings {
  /** The service name, on every line as `service`; a process hosting several gives each a child logger instead. */
  service?: string;
  level?: string;
  /** Extra paths to redact, in pino's path syntax, beyond the usual secret-bearing keys. */
  redact?: string[];
  /** Where lines go; standard output by default. Tests pass a stream to read them. */
  destination?: NodeJS.WritableStream;
}

/** Keys that carry secrets wherever they appear in a logged object (one level deep, as pino allows). */
export const secretPaths = Object.freeze(
  ['password', 'secret', 'token', 'privateKey', 'authorization', 'pass'].flatMap((key) => [key, `*.${key}`]),
);

/** A JSON logger for a Lichen service: ISO time, level as a word, secrets redacted. */
export function createLogger(settings: LoggerSettings): Logger {
  const options: LoggerOptions = {
    level: settings.level ?? 'info',
    base: settings.service ? { service: settings.service } : {},
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: [...secretPaths, ...(settings.redact ?? [])], censor: '[redacted]' },
  };
  return settings.destination ? pino(options, settings.destination) : pino(options);
}
