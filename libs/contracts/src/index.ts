export * from './gen/lichen/v1/component_pb.js';
export * from './gen/lichen/v1/error_pb.js';
export * from './gen/lichen/v1/health_pb.js';
export * from './subject.js';
export * from './subject-pattern.js';
export * from './subjects.js';
export * from './component-state.js';
export * from './version.js';
