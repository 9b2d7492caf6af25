// The sync agent is being built (issue 8): its shadow domain first; the service descriptor comes with its transport.
export * from './domain/shadow/json-value.js';
export * from './domain/shadow/shadow-delta.js';
export * from './domain/shadow/shadow-document.js';
export * from './domain/shadow/shadow-limits.js';
export * from './domain/shadow/shadow-merge.js';
export * from './domain/shadow/shadow-rejection.js';
export * from './domain/shadow/shadow-update.js';
