// The bus as a NestJS transport: what the runtime host plugs into Nest. A separate entry, as loading NestJS
// costs a command-line call about 350 ms it has no use for.
export * from './nest/bus-exception.filter.js';
export * from './nest/bus.context.js';
export * from './nest/bus.server.js';
