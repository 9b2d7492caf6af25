/** Injection tokens for the values the module is built from. */
export const CONFIG = Symbol('health-exporter config');
export const LOGGER = Symbol('health-exporter logger');
export const DEVICE_ID = Symbol('device id');
