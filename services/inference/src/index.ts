// The tensor domain for now; the service descriptor is exported here when its transport (NATS, onnxruntime) comes.
export * from './domain/tensor/index.js';
export * from './domain/model/model-runtime.js';
export * from './domain/model/model-slot.js';
