/** Injection tokens for the values the module is built from. */
export const CONFIG = Symbol('health-exporter config');
export const LOGGER = Symbol('logger');
export const REGISTRY = Symbol('metrics registry');
