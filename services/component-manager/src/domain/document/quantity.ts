export type ParsedQuantity = { ok: true; bytes: number } | { ok: false; reason: string };

/** Kubernetes' suffixes: decimal (k, M, G, ...) and binary (Ki, Mi, Gi, ...). */
const UNITS: Readonly<Record<string, bigint>> = {
  '': 1n,
  k: 10n ** 3n,
  M: 10n ** 6n,
  G: 10n ** 9n,
  T: 10n ** 12n,
  P: 10n ** 15n,
  E: 10n ** 18n,
  Ki: 2n ** 10n,
  Mi: 2n ** 20n,
  Gi: 2n ** 30n,
  Ti: 2n ** 40n,
  Pi: 2n ** 50n,
  Ei: 2n ** 60n,
};

const QUANTITY = /^(\d+)(?:\.(\d+))?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/;

/**
 * Reads a memory quantity the way Kubernetes writes it (`128Mi`, `1Gi`, `500M`, `1.5G`, or plain bytes) into
 * bytes, rounded up to a whole byte. Docker's lower-case `m` (MiB to Docker, milli to Kubernetes) is refused
 * rather than guessed. Computed in integers, so `1.1G` is exactly 1100000000.
 */
export function parseQuantity(text: string): ParsedQuantity {
  const match = QUANTITY.exec(text.trim());
  if (!match) return { ok: false, reason: `"${text}" is not a quantity` };
  const [, whole = '0', fraction = '', unit = ''] = match;
  const scale = 10n ** BigInt(fraction.length);
  const scaled = (BigInt(whole) * scale + BigInt(fraction || '0')) * (UNITS[unit] ?? 1n);
  const bytes = (scaled + scale - 1n) / scale;
  if (bytes > BigInt(Number.MAX_SAFE_INTEGER)) return { ok: false, reason: `"${text}" is too large` };
  return { ok: true, bytes: Number(bytes) };
}
