import { ConfigError } from '@lichen/config';
import { MetricsListenError } from '@lichen/metrics';
import { loadExporterConfig } from './config.js';
import { startHealthExporter } from './health-exporter.app.js';

try {
  const app = await startHealthExporter(loadExporterConfig());
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
} catch (error) {
  const known = error instanceof ConfigError || error instanceof MetricsListenError;
  const reason = known ? error.message : ((error as Error)?.stack ?? String(error));
  process.stderr.write(`health-exporter cannot start: ${reason}\n`);
  process.exit(1);
}
