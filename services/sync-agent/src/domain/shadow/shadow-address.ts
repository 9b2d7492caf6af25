import { CLASSIC_SHADOW } from '@lichen/contracts';
import { nameProblem } from './shadow-limits.js';

/** Which shadow: the thing it belongs to and its name (`CLASSIC_SHADOW` for the thing's unnamed one). */
export interface ShadowAddress {
  readonly thing: string;
  readonly shadow: string;
}

/**
 * The name that stands for a thing's classic (unnamed) shadow, on the bus and in the store (the contract's
 * `$classic`); the cloud sync maps it to `$aws/things/{thing}/shadow/...`, without `name/{shadow}`.
 */
export { CLASSIC_SHADOW };

/** What is wrong with a shadow's address, as AWS IoT names things and shadows; nothing when it is fine. */
export function addressProblem({ thing, shadow }: ShadowAddress): string | undefined {
  return nameProblem('thing', thing) ?? (shadow === CLASSIC_SHADOW ? undefined : nameProblem('shadow', shadow));
}

/** The address as people read it: `press-7` for the classic shadow, `press-7/fan` for a named one. */
export function describeAddress({ thing, shadow }: ShadowAddress): string {
  return shadow === CLASSIC_SHADOW ? thing : `${thing}/${shadow}`;
}
