import { ComponentState } from './gen/lichen/v1/component_pb.js';

/** The state names operators see (`RUNNING`, `BROKEN`, ...), in lifecycle order, without UNSPECIFIED. */
export const componentStateNames = Object.freeze(
  Object.entries(ComponentState)
    .filter((entry): entry is [string, ComponentState] => typeof entry[1] === 'number' && entry[1] !== 0)
    .sort((a, b) => a[1] - b[1])
    .map(([name]) => name),
);

export function componentStateName(state: ComponentState): string {
  return ComponentState[state] ?? 'UNSPECIFIED';
}
