import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { toJson } from '@bufbuild/protobuf';
import { Bus, type Unsubscribe } from '@lichen/bus';
import { DeploymentSchema, subjects, type ApplyDeploymentRequest } from '@lichen/contracts';
import { LichenError } from '@lichen/errors';
import { DeploymentCoordinator } from '../domain/deployment/deployment-coordinator.js';
import { parseDocumentText } from '../domain/document/document-text.parser.js';
import { deploymentToWire, desiredToWire } from './status.mapper.js';

/** `lichen.deploy.*`: decode, hand to the coordinator, encode. */
@Injectable()
export class DeploymentResponder implements OnApplicationBootstrap, OnModuleDestroy {
  readonly #served: Unsubscribe[] = [];

  constructor(
    @Inject(Bus) private readonly bus: Bus,
    @Inject(DeploymentCoordinator) private readonly coordinator: DeploymentCoordinator,
  ) {}

  onApplicationBootstrap(): void {
    const { deploy } = subjects;
    this.#served.push(
      this.bus.serve(deploy.apply, async (request) => deploymentToWire(await this.coordinator.apply(documentOf(request)))),
      this.bus.serve(deploy.status, async ({ id }) => deploymentToWire(await this.coordinator.status(id))),
      this.bus.serve(deploy.list, async ({ limit }) => ({
        deployments: (await this.coordinator.list(limit)).map(deploymentToWire),
      })),
      this.bus.serve(deploy.cancel, async ({ id }) => deploymentToWire(await this.coordinator.cancel(id))),
      this.bus.serve(deploy.rollback, async () => deploymentToWire(await this.coordinator.rollback())),
      this.bus.serve(deploy.desired, () => desiredToWire(this.coordinator.desired())),
    );
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all(this.#served.splice(0).map((unsubscribe) => unsubscribe()));
  }
}

/** The document as parsed JSON, from its text (YAML or JSON) or from the typed message. */
function documentOf(request: ApplyDeploymentRequest): unknown {
  const { source } = request;
  if (source.case === 'deployment') return toJson(DeploymentSchema, source.value);
  if (source.case !== 'document') {
    throw new LichenError(
      'DEPLOYMENT_MISSING',
      'invalid-argument',
      'the request holds no deployment: send `document` or `deployment`',
    );
  }
  const parsed = parseDocumentText(source.value);
  if (!parsed.ok) {
    throw new LichenError(
      'DEPLOYMENT_UNREADABLE',
      'invalid-argument',
      'the deployment document cannot be read; nothing on the device changed',
      {
        violations: parsed.violations,
      },
    );
  }
  return parsed.value;
}
