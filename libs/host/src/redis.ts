// Redis for the services that keep state in it, apart from `@lichen/host` so that a process without such a service
// does not load ioredis.
export * from './redis-connection.js';
