export * from './error-kind.js';
export * from './lichen-error.js';
