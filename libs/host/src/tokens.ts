/** The process's one Prometheus registry: services register their collectors into it. */
export const METRICS_REGISTRY = Symbol('lichen metrics registry');

/** Who may log in to the bus and do what there (`BusAuthority`): services set the users they own through it. */
export const BUS_AUTHORITY = Symbol('lichen bus authority');
