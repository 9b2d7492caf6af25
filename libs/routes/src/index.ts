export * from './compile-route.js';
export * from './rate-limit.js';
export * from './route-condition.js';
export * from './route-definition.js';
export * from './subject-filter.js';
export * from './subject-syntax.js';
export * from './target-template.js';
