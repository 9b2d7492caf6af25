import type { ClientDevice } from '@lichen/contracts';
import { subjectProblem } from '@lichen/routes';
import { nameProblem } from './resource-name.js';
import type { ClientDeviceSpec } from './valid-deployment.js';
import type { ValidationContext } from './validation-context.js';
import { fieldPath, indexPath } from './violation.js';

/** A bcrypt hash as NATS takes it in place of a password: `$2a$`, `$2b$` or `$2y$`, a cost, 53 characters. */
const BCRYPT = /^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/;

/**
 * Checks a document's MQTT client devices: names (they become the bus user `device-<name>`), a bcrypt password
 * hash (never a password: the document travels through the cloud and is stored), and permission subjects.
 */
export function validateClientDevices(
  devices: Readonly<Record<string, ClientDevice>>,
  context: ValidationContext,
): Record<string, ClientDeviceSpec> {
  const out: Record<string, ClientDeviceSpec> = {};
  for (const [name, device] of Object.entries(devices)) {
    const path = fieldPath('devices', name);
    const at = (field: string) => fieldPath(path, field);
    const problem = nameProblem(name, 'device name');
    if (problem) context.report(path, problem);
    if (context.wasRejected(path)) continue;
    if (
      context.require(at('passwordHash'), device.passwordHash, 'the bcrypt hash of its password: run `lichen passwd`') &&
      !BCRYPT.test(device.passwordHash)
    ) {
      context.report(at('passwordHash'), 'must be a bcrypt hash ($2a$..., 60 characters): run `lichen passwd` to make one');
    }
    const subjects = (list: readonly string[], field: string) =>
      list.map((subject, index) => {
        const wrong = subjectProblem(subject, { wildcards: true });
        if (wrong) context.report(indexPath(at(field), index), wrong);
        return subject;
      });
    out[name] = {
      name,
      passwordHash: device.passwordHash,
      permissions: {
        publish: subjects(device.permissions?.publish ?? [], 'permissions.publish'),
        subscribe: subjects(device.permissions?.subscribe ?? [], 'permissions.subscribe'),
      },
    };
  }
  return out;
}
