export * from './batch.js';
export * from './element-bytes.js';
export * from './element-type.js';
export * from './float16.js';
export * from './json-tensor.js';
export * from './tensor-path.js';
export * from './tensor-problems.js';
export * from './tensor-value.js';
