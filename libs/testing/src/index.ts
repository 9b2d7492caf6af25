export * from './docker-engine.js';
export * from './free-port.js';
export * from './prometheus-server.js';
export * from './nats-server.js';
export * from './redis-server.js';
export * from './required-command.js';
export * from './server-process.js';
export * from './wait-for.js';
