export { healthExporter } from './health-exporter.service.js';
