import { toJson } from '@bufbuild/protobuf';
import { DeploymentSchema } from '@lichen/contracts';
import type { JsonObject } from './domain/component/component-spec.js';
import { validateDeployment } from './domain/document/deployment.validator.js';
import type { DocumentValidator } from './domain/deployment/accepted-document.js';

/** The validator the coordinator uses: the document's checks, for a device with (or without) a Docker engine. */
export function documentValidator(device: { dockerAvailable: () => boolean }): DocumentValidator {
  return (input) => {
    const verdict = validateDeployment(input, { dockerAvailable: device.dockerAvailable() });
    if (!verdict.ok) return verdict;
    const { deployment } = verdict;
    return {
      ok: true,
      document: {
        name: deployment.name,
        revision: deployment.revision,
        target: deployment.target,
        failurePolicy: deployment.failurePolicy,
        timeoutMs: deployment.timeoutMs,
        components: deployment.components,
        startOrder: deployment.startOrder,
        devices: deployment.devices,
        json: toJson(DeploymentSchema, deployment.document) as JsonObject,
      },
    };
  };
}
