import { randomBytes } from 'node:crypto';

/**
 * A deployment id an operator can read and type, and a NATS subject token (`lichen.evt.deploy.<id>`):
 * the document's name and revision, and a short random suffix: `line-3-r7-4f9a2c`.
 */
export function newDeploymentId(name: string, revision: number): string {
  const readable =
    name
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40) || 'deployment';
  return `${readable}-r${revision}-${randomBytes(3).toString('hex')}`;
}
