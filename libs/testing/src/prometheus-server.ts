import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { startServerProcess, type ServerProcess } from './server-process.js';

export interface ScrapeTarget {
  job: string;
  /** host:port */
  target: string;
}

export interface PrometheusOptions {
  targets: ScrapeTarget[];
  scrapeInterval?: string;
}

/** One sample of an instant query: the series' labels and its value. */
export interface PromSample {
  metric: Record<string, string>;
  value: number;
}

export interface TestPrometheus extends ServerProcess {
  readonly url: string;
  /** Runs an instant PromQL query through the HTTP API. */
  query(promql: string): Promise<PromSample[]>;
}

/** Starts a throwaway Prometheus server (Debian's `prometheus`) that scrapes the given targets. */
export async function startPrometheus(options: PrometheusOptions): Promise<TestPrometheus> {
  const port = await freePort();
  const interval = options.scrapeInterval ?? '1s';
  const scrapeConfigs = options.targets
    .map(
      ({ job, target }) =>
        `  - job_name: ${JSON.stringify(job)}\n    static_configs:\n      - targets: [${JSON.stringify(target)}]`,
    )
    .join('\n');
  const server = await startServerProcess({
    name: 'prometheus',
    command: process.env.PROMETHEUS_BIN ?? 'prometheus',
    port,
    args: (dataDir) => [
      `--config.file=${join(dataDir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dataDir, 'tsdb')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    beforeStart: (dataDir) =>
      writeFile(
        join(dataDir, 'prometheus.yml'),
        `global:\n  scrape_interval: ${interval}\n  scrape_timeout: ${interval}\nscrape_configs:\n${scrapeConfigs}\n`,
      ),
  });
  const url = `http://127.0.0.1:${port}`;
  return Object.assign(server, {
    url,
    async query(promql: string): Promise<PromSample[]> {
      const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`);
      const body = (await response.json()) as {
        status: string;
        error?: string;
        data?: { result: { metric: Record<string, string>; value: [number, string] }[] };
      };
      if (body.status !== 'success') throw new Error(`query ${promql} failed: ${body.error}`);
      return (body.data?.result ?? []).map(({ metric, value }) => ({ metric, value: Number(value[1]) }));
    },
  });
}
