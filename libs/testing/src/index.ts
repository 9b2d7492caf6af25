export * from './free-port.js';
export * from './nats-server.js';
export * from './redis-server.js';
export * from './server-process.js';
export * from './wait-for.js';
