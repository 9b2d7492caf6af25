export { syncAgent } from './sync-agent.service.js';
export * from './domain/shadow/json-value.js';
export * from './domain/shadow/shadow-delta.js';
export * from './domain/shadow/shadow-document.js';
export * from './domain/shadow/shadow-limits.js';
export * from './domain/shadow/shadow-merge.js';
export * from './domain/shadow/shadow-rejection.js';
export * from './domain/shadow/shadow-update.js';
