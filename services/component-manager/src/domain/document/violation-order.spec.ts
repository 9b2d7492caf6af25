import { DeploymentSchema } from '@lichen/contracts';
import { describe, expect, it } from 'vitest';
import { sortInDocumentOrder } from './violation-order.js';
import { formatViolation, type Violation } from './violation.js';

const input = {
  kind: 'Deployment',
  components: { zeta: {}, 'alpha.beta': {}, alpha: {} },
  routes: Array.from({ length: 11 }, () => ({})),
};

const v = (path: string, reason = 'x'): Violation => ({ path, reason });

describe('sortInDocumentOrder', () => {
  it('orders by the schema, then by the entry as the document lists it, keeping each entry’s own order', () => {
    const sorted = sortInDocumentOrder(
      [
        v('routes[10].to'),
        v('components.alpha.image', 'first'),
        v('routes[2].from'),
        v('apiVersion'),
        v('components.zeta'),
        v('components.alpha.env', 'second'),
        v('components.alpha.beta'),
        v(''),
        v('metadata.name'),
      ],
      DeploymentSchema,
      input,
    );
    expect(sorted.map((violation) => formatViolation(violation))).toEqual([
      'x',
      'apiVersion: x',
      'metadata.name: x',
      'components.zeta: x',
      'components.alpha.beta: x',
      'components.alpha.image: first',
      'components.alpha.env: second',
      'routes[2].from: x',
      'routes[10].to: x',
    ]);
  });

  it('puts unknown top-level fields last', () => {
    expect(sortInDocumentOrder([v('compnents'), v('kind')], DeploymentSchema, input).map((violation) => violation.path)).toEqual([
      'kind',
      'compnents',
    ]);
  });
});
