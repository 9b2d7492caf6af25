export * from './host-config.js';
export * from './host.error.js';
export * from './service-descriptor.js';
export * from './start-runtime.js';
export * from './tokens.js';
export { natsServerConfig, type NatsServerSettings } from './servers/nats-config.js';
export { hasFinished, identityOf, readProcStat, type ProcStat, type ProcessIdentity } from './data-dir/process-identity.js';
