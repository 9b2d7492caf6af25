export { z } from 'zod';
export * from './fields.js';
export * from './load-config.js';
export * from './secret.js';
export * from './endpoints-file.js';
export * from './operator-credentials.js';
