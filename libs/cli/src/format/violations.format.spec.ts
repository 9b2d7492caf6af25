import { describe, expect, it } from 'vitest';
import { formatRejection } from './violations.format.js';

describe('formatRejection', () => {
  it('lists every problem as path: reason, in the order the device found them', () => {
    expect(
      formatRejection('deployment', 'deployment line-3 is invalid (3 problems)', [
        { path: 'components.vibration-sensor.image', reason: 'give either image or process, not both' },
        { path: 'components.vibration-sensor.resources.memory', reason: 'expected a quantity like 128Mi, got "lots"' },
        { path: 'routes[1].where', reason: 'undeclared reference to "paylod" (line 1, column 1)' },
      ]),
    ).toEqual([
      'deployment rejected: deployment line-3 is invalid (3 problems)',
      '  components.vibration-sensor.image: give either image or process, not both',
      '  components.vibration-sensor.resources.memory: expected a quantity like 128Mi, got "lots"',
      '  routes[1].where: undeclared reference to "paylod" (line 1, column 1)',
    ]);
  });

  it('names the whole document when a problem has no path', () => {
    expect(formatRejection('deployment', 'not YAML', [{ path: '', reason: 'bad indentation at line 4' }])).toEqual([
      'deployment rejected: not YAML',
      '  (document): bad indentation at line 4',
    ]);
  });
});
