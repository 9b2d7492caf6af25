// The results of a side-by-side benchmark: a table of medians with a ratio column, the targets, or JSON.

/**
 * Table rows comparing two sides, one row per `[key, label, digits]` of `rows` that side `a` measured:
 * label, `a`'s median, `b`'s median, and the ratio a / b ('n/a' when null). `a` and `b` are `{ key, label }`.
 */
export function comparisonTable(rows, medians, ratios, a, b) {
  const body = rows
    .filter(([key]) => medians[a.key][key] !== undefined)
    .map(([key, label, digits]) => [
      label,
      medians[a.key][key].toFixed(digits),
      medians[b.key][key].toFixed(digits),
      ratios[key] === null ? 'n/a' : `${ratios[key].toFixed(2)}x`,
    ]);
  return table(['metric', a.label, b.label, `ratio (${a.label} / ${b.label})`], body);
}

/** A plain-text table: first column left-aligned, the others right-aligned, a dashed rule under the header. */
export function table(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.map(line)].join('\n');
}

/** Marks each `{ name, limit, value }` target with `pass: value < limit`. */
export function checkTargets(targets) {
  return targets.map((t) => ({ ...t, pass: t.value < t.limit }));
}

/** The `targets (<subject>):` block: one PASS or FAIL line per checked target. */
export function targetLines(subject, targets) {
  return [
    `targets (${subject}):`,
    ...targets.map((t) => `  ${t.pass ? 'PASS' : 'FAIL'}  ${t.name}: ${t.value.toFixed(2)} (limit ${t.limit})`),
  ].join('\n');
}

/** `<n> CPUs, load ... at start, ... at end; node <version>; <n> s` from a report's environment. */
export function machineSummary({ cpus, loadavgStart, loadavgEnd, node, durationSeconds }) {
  return (
    `${cpus} CPUs, load ${loadavgStart.join(' ')} at start, ` +
    `${loadavgEnd.join(' ')} at end; node ${node}; ${durationSeconds.toFixed(0)} s`
  );
}

/** Writes the report to stdout: as JSON (fractions rounded to 4 decimals) or as `render(report)`. */
export function printReport(report, { json, render }) {
  const rounded = (_key, value) => (typeof value === 'number' && !Number.isInteger(value) ? Number(value.toFixed(4)) : value);
  process.stdout.write(json ? `${JSON.stringify(report, rounded, 2)}\n` : `${render(report)}\n`);
}
