/** The process's one Prometheus registry: services register their collectors into it. */
export const METRICS_REGISTRY = Symbol('lichen metrics registry');
