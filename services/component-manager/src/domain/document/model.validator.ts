import type { Model } from '@lichen/contracts';
import type { ModelSpec } from './valid-deployment.js';
import { nameProblem } from './resource-name.js';
import type { ValidationContext } from './validation-context.js';
import { fieldPath } from './violation.js';

const SHA256 = /^[0-9a-fA-F]{64}$/;
const URI = /^[a-zA-Z][a-zA-Z0-9+.-]*:\S+$/;

/**
 * Checks a document's models and reads them into `ModelSpec`s. The inference service fetches and verifies
 * them; this checks the names (they become `lichen.infer.<model>` subject tokens), that a URI is given, and
 * that a sha256 is one.
 */
export function validateModels(models: Readonly<Record<string, Model>>, context: ValidationContext): Record<string, ModelSpec> {
  const out: Record<string, ModelSpec> = {};
  for (const [name, model] of Object.entries(models)) {
    const path = fieldPath('models', name);
    const at = (field: string) => fieldPath(path, field);
    const problem = nameProblem(name, 'model name');
    if (problem) context.report(path, problem);
    if (
      !context.wasRejected(path) &&
      context.require(at('uri'), model.uri, 'where to fetch the model, e.g. file:///models/x.onnx') &&
      !URI.test(model.uri)
    ) {
      context.report(at('uri'), `"${model.uri}" is not a URI (e.g. file:///models/x.onnx or https://...)`);
    }
    if (model.sha256 !== '' && !SHA256.test(model.sha256))
      context.report(at('sha256'), 'must be 64 hexadecimal characters (the SHA-256 of the model file)');
    out[name] = {
      name,
      version: model.version,
      uri: model.uri,
      ...(model.sha256 !== '' ? { sha256: model.sha256.toLowerCase() } : {}),
    };
  }
  return out;
}
