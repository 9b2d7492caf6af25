// Percentiles of one round's samples, and medians and ratios across interleaved rounds.

/** Nearest-rank percentile `p` (0 to 100) of an ascending array. */
export function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** Median of `values` (mean of the two middle values when their count is even); `values` is left unsorted. */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Medians across `rounds` (objects holding one figures object per side, `round[side][key]`): returns
 * `{ [side]: { [key]: median } }` for each of `sides` and `keys`.
 */
export function mediansAcrossRounds(rounds, sides, keys) {
  const medians = {};
  for (const side of sides) medians[side] = Object.fromEntries(keys.map((key) => [key, median(rounds.map((r) => r[side][key]))]));
  return medians;
}

/** `numerator[key] / denominator[key]` for each of `keys`, or null where the denominator is 0. */
export function ratiosOf(numerator, denominator, keys) {
  return Object.fromEntries(keys.map((key) => [key, denominator[key] ? numerator[key] / denominator[key] : null]));
}
