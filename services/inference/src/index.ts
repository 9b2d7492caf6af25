// The domain for now (tensors, models); the service descriptor is exported here when its transport (NATS) comes.
export * from './domain/tensor/index.js';
export * from './domain/model/model-runtime.js';
export * from './domain/model/model-slot.js';
