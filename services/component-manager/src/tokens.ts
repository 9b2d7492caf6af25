/** Injection tokens of the component manager's module. */
export const CONFIG = Symbol('component-manager config');
export const LOGGER = Symbol('component-manager logger');
