import { describe, expect, it } from 'vitest';
import { validateDeployment } from './deployment.validator.js';
import { formatViolation } from './violation.js';

function check(models: Record<string, unknown>) {
  const result = validateDeployment(
    { apiVersion: 'lichen.dev/v1', kind: 'Deployment', metadata: { name: 'test' }, models },
    { dockerAvailable: true },
  );
  return result.ok
    ? { models: result.deployment.models, problems: [] }
    : { models: {}, problems: result.violations.map(formatViolation) };
}

describe('validateModels', () => {
  it('reads a model, with its sha256 in lower case', () => {
    const sha256 = 'AB'.repeat(32);
    expect(
      check({ 'bearing-anomaly': { version: 3, uri: 'https://models.local/bearing-anomaly-3.onnx', sha256 } }).models,
    ).toEqual({
      'bearing-anomaly': {
        name: 'bearing-anomaly',
        version: '3',
        uri: 'https://models.local/bearing-anomaly-3.onnx',
        sha256: sha256.toLowerCase(),
      },
    });
    expect(check({ plain: { uri: 'file:///models/plain.onnx' } }).models).toEqual({
      plain: { name: 'plain', version: '', uri: 'file:///models/plain.onnx' },
    });
  });

  it('needs a uri, a sha256 that is one, and a name that can be a subject token', () => {
    expect(check({ 'Bearing.Anomaly': { uri: 'models/x.onnx', sha256: 'abc' }, empty: { version: '1' } }).problems).toEqual([
      'models.Bearing.Anomaly: "Bearing.Anomaly" is not a valid model name: use lower-case letters, digits, - and _, starting with a letter or digit, at most 63 characters',
      'models.Bearing.Anomaly.uri: "models/x.onnx" is not a URI (e.g. file:///models/x.onnx or https://...)',
      'models.Bearing.Anomaly.sha256: must be 64 hexadecimal characters (the SHA-256 of the model file)',
      'models.empty.uri: required (where to fetch the model, e.g. file:///models/x.onnx)',
    ]);
  });

  it('does not ask for a uri when the operator wrote url', () => {
    expect(check({ m: { url: 'file:///m.onnx' } }).problems).toEqual(['models.m.url: unknown field (did you mean "uri"?)']);
  });
});
