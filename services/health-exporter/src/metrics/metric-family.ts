import { Counter, Gauge, type Registry } from 'prom-client';

export type Labels = Readonly<Record<string, string>>;
/** One series of a family; an undefined value means the source did not report it this time. */
export type Sample = readonly [labels: Labels, value: number | undefined];

/**
 * A metric family derived from one reading of a source (the host, a server). Counters are the source's own
 * running totals (the kernel's, the server's), set at scrape time rather than added to.
 */
export interface MetricFamily<Source> {
  readonly name: string;
  readonly help: string;
  readonly type: 'gauge' | 'counter';
  readonly labelNames: readonly string[];
  readonly samples: (source: Source) => readonly Sample[];
}

export function gauge<Source>(name: string, help: string, pick: (source: Source) => number | undefined): MetricFamily<Source> {
  return { name, help, type: 'gauge', labelNames: [], samples: (source) => [[{}, pick(source)]] };
}

export function counter<Source>(name: string, help: string, pick: (source: Source) => number | undefined): MetricFamily<Source> {
  return { ...gauge(name, help, pick), type: 'counter' };
}

/**
 * Registers the families, filled at scrape time from one shared reading. Without a reading (the source is
 * down or unreadable) the families report no series at all: not a misleading 0, and no counter reset.
 */
export function registerFamilies<Source>(
  registry: Registry,
  families: readonly MetricFamily<Source>[],
  latest: { get(): Promise<Source | undefined> },
): void {
  for (const family of families) {
    const config = { name: family.name, help: family.help, labelNames: [...family.labelNames], registers: [registry] };
    if (family.type === 'counter') {
      new Counter({
        ...config,
        async collect() {
          fill(this, family, await latest.get(), (labels, value) => this.inc(labels, value));
        },
      });
    } else {
      new Gauge({
        ...config,
        async collect() {
          fill(this, family, await latest.get(), (labels, value) => this.set(labels, value));
        },
      });
    }
  }
}

interface Settable {
  reset(): void;
  remove(labels: Labels): void;
}

/** Replaces every series of the metric with the reading's: a filesystem or interface that went away goes too. */
function fill<Source>(
  metric: Settable,
  family: MetricFamily<Source>,
  source: Source | undefined,
  put: (labels: Labels, value: number) => void,
): void {
  metric.reset();
  // prom-client puts a 0 back into an unlabelled metric on reset; no reading must mean no value.
  if (family.labelNames.length === 0) metric.remove({});
  if (source === undefined) return;
  for (const [labels, value] of family.samples(source)) {
    if (value === undefined || !Number.isFinite(value)) continue;
    if (family.type === 'counter' && value < 0) continue;
    put(labels, value);
  }
}
