export * from './bus.js';
export * from './bus-connection.js';
export * from './nest/bus-exception.filter.js';
export * from './nest/bus.context.js';
export * from './nest/bus.server.js';
export * from './wire/bus-error.js';
export * from './wire/content-type.js';
export * from './wire/message-codec.js';
