export * from './metrics-server.js';
export * from './registry.js';
