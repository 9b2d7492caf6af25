import { describe, expect, it } from 'vitest';
import { validateDeployment } from './deployment.validator.js';
import { formatViolation } from './violation.js';

const HASH = `$2a$10$${'a'.repeat(53)}`;

function check(devices: Record<string, unknown>) {
  const result = validateDeployment(
    { apiVersion: 'lichen.dev/v1', kind: 'Deployment', metadata: { name: 'test' }, devices },
    { dockerAvailable: true },
  );
  return result.ok
    ? { devices: result.deployment.devices, problems: [] }
    : { devices: {}, problems: result.violations.map(formatViolation) };
}

describe('validateClientDevices', () => {
  it('reads each device with its hash and permissions', () => {
    expect(check({ 'plc-7': { passwordHash: HASH, permissions: { publish: ['sensors.plc-7.>'] } } }).devices).toEqual({
      'plc-7': { name: 'plc-7', passwordHash: HASH, permissions: { publish: ['sensors.plc-7.>'], subscribe: [] } },
    });
  });

  it('wants a bcrypt hash, never a password, and valid names and subjects', () => {
    expect(
      check({
        'PLC 7': { passwordHash: HASH },
        plain: { passwordHash: 'hunter2' },
        none: {},
        wild: { passwordHash: HASH, permissions: { subscribe: ['cmd.>.x'] } },
      }).problems,
    ).toEqual([
      'devices.PLC 7: "PLC 7" is not a valid device name: use lower-case letters, digits, - and _, starting with a letter or digit, at most 63 characters',
      'devices.plain.passwordHash: must be a bcrypt hash ($2a$..., 60 characters): run `lichen passwd` to make one',
      'devices.none.passwordHash: required (the bcrypt hash of its password: run `lichen passwd`)',
      'devices.wild.permissions.subscribe[0]: "cmd.>.x" is not a valid subject filter: > must be the last token',
    ]);
  });
});
