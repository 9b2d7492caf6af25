/** The lifecycle of a component, as in Greengrass v2 (DESIGN.md). */
export type ComponentStateName = 'NEW' | 'INSTALLED' | 'STARTING' | 'RUNNING' | 'STOPPING' | 'FINISHED' | 'ERRORED' | 'BROKEN';

/** States a deployment's health gate accepts. */
export const settledStates: ReadonlySet<ComponentStateName> = new Set(['RUNNING', 'FINISHED']);
