// The bus for every caller. Its NestJS transport is in `@lichen/bus/nest`, so the CLI never loads NestJS.
export * from './bus.js';
export * from './bus.types.js';
export * from './bus-connection.js';
export { redactServer, redactServers } from './connection/server-urls.js';
export * from './jetstream/bus-jetstream.js';
export type { ConsumeOptions, DurableHandler, DurableMessage } from './jetstream/durable-message.js';
export type { DurablePublishAck, DurablePublishOptions } from './jetstream/durable-publish.js';
export type { ConsumerSettings } from './jetstream/ensure-consumer.js';
export type { Ensured, StreamSettings } from './jetstream/ensure-stream.js';
export type { StreamMessage, StreamReading, StreamState } from './jetstream/stream-reading.js';
export * from './wire/bus-error.js';
export * from './wire/content-type.js';
export * from './wire/error-kinds.js';
export * from './wire/headers.js';
export * from './wire/message-codec.js';
export { STREAM_END, STREAM_HEADER, STREAM_ITEM } from './wire/stream-marker.js';
