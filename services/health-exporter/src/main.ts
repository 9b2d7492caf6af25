import { runService } from '@lichen/bus';
import { loadExporterConfig } from './config.js';
import { startHealthExporter } from './health-exporter.app.js';

await runService('health-exporter', async () => {
  const app = await startHealthExporter(loadExporterConfig());
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
});
