export * from './cloud-spool.js';
