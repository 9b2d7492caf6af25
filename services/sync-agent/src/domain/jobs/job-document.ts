import { isObject, type JsonValue } from '../shadow/json-value.js';

/**
 * The Lichen deployment a job carries, as the text the component manager reads: a job document that is an
 * object is the deployment itself (as JSON); one that is a string is its YAML or JSON text. Anything else is
 * not a deployment, and `problem` says why.
 */
export function deploymentText(jobDocument: JsonValue | undefined): { text: string } | { problem: string } {
  if (typeof jobDocument === 'string') {
    return jobDocument.trim()
      ? { text: jobDocument }
      : { problem: 'the job document is an empty string, not a Lichen deployment' };
  }
  if (isObject(jobDocument)) return { text: JSON.stringify(jobDocument) };
  if (jobDocument === undefined) return { problem: 'the job has no job document' };
  const kind = jobDocument === null ? 'null' : Array.isArray(jobDocument) ? 'an array' : `a ${typeof jobDocument}`;
  return { problem: `the job document is ${kind}, not a Lichen deployment (an object, or its YAML or JSON text)` };
}
