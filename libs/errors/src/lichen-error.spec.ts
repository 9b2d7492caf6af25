import { describe, expect, it } from 'vitest';
import { isLichenError, LichenError } from './lichen-error.js';

class DeploymentError extends LichenError {
  constructor(message: string, options?: ConstructorParameters<typeof LichenError>[3]) {
    super('DEPLOYMENT_INVALID', 'invalid-argument', message, options);
    this.name = 'DeploymentError';
  }
}

describe('LichenError', () => {
  it('carries a code, a kind, violations, fields and a cause', () => {
    const cause = new Error('yaml: bad indentation');
    const error = new DeploymentError('deployment line-3 is invalid', {
      violations: [{ path: 'components.pump.image', reason: 'required' }],
      fields: { deployment: 'line-3' },
      cause,
    });
    expect(error).toBeInstanceOf(Error);
    expect(isLichenError(error)).toBe(true);
    expect(error).toMatchObject({
      name: 'DeploymentError',
      code: 'DEPLOYMENT_INVALID',
      kind: 'invalid-argument',
      message: 'deployment line-3 is invalid',
      fields: { deployment: 'line-3' },
    });
    expect(error.violations).toEqual([{ path: 'components.pump.image', reason: 'required' }]);
    expect(error.cause).toBe(cause);
  });

  it('defaults to no violations, no fields and no cause, all frozen', () => {
    const error = new LichenError('THING_MISSING', 'not-found', 'no such thing');
    expect(error.violations).toEqual([]);
    expect(error.fields).toEqual({});
    expect('cause' in error).toBe(false);
    expect(Object.isFrozen(error.fields) && Object.isFrozen(error.violations)).toBe(true);
  });

  it('tells Lichen errors from others', () => {
    expect(isLichenError(new Error('x'))).toBe(false);
    expect(isLichenError({ code: 'X', message: 'looks like one' })).toBe(false);
  });
});
