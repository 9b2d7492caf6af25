import { defineService } from '@lichen/host';
import { ProcfsAdapter } from './adapters/procfs.adapter.js';
import { exporterConfigShape } from './config.js';
import { HealthExporterModule } from './health-exporter.module.js';

/** The health exporter as the runtime host runs it: device health on `/metrics` and on the bus. */
export const healthExporter = defineService({
  name: 'health-exporter',
  config: exporterConfigShape,
  module: (context) => HealthExporterModule.register(context),
  readiness: (resolve) => ({ procfs: () => resolve(ProcfsAdapter).problem() }),
});
