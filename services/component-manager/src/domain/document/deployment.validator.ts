import { fromJson, type JsonObject } from '@bufbuild/protobuf';
import { DeploymentSchema, type Deployment } from '@lichen/contracts';
import type { ComponentSpec } from '../component/component-spec.js';
import { validateClientDevices } from './client-device.validator.js';
import { validateComponent, type DeviceFacts } from './component.validator.js';
import { checkDependencies, startOrder } from './dependency-graph.js';
import { DOCUMENT_DEFAULTS, type DocumentDefaults } from './document-defaults.js';
import { validateModels } from './model.validator.js';
import { checkShape } from './proto-shape.checker.js';
import { nameProblem } from './resource-name.js';
import { validateRoutes } from './route.validator.js';
import { sortInDocumentOrder } from './violation-order.js';
import type { ValidDeployment } from './valid-deployment.js';
import { ValidationContext } from './validation-context.js';
import { fieldPath, type Violation } from './violation.js';

export type DeploymentValidation = { ok: true; deployment: ValidDeployment } | { ok: false; violations: Violation[] };

const API_VERSION = 'lichen.dev/v1';
const KIND = 'Deployment';

/**
 * Validates a parsed deployment document as a whole, before anything changes on the device: first its shape
 * against the proto (unknown fields, wrong types), then what the proto cannot say (names, quantities,
 * durations, policies, subjects, dependencies, routes and models). Every problem is listed, each with its
 * path; a valid document comes back with defaults filled in, units converted and a start order.
 */
export function validateDeployment(
  input: unknown,
  device: DeviceFacts,
  defaults: DocumentDefaults = DOCUMENT_DEFAULTS,
): DeploymentValidation {
  const shape = checkShape(DeploymentSchema, input);
  let document: Deployment;
  try {
    document = fromJson(DeploymentSchema, shape.value);
  } catch (error) {
    // The shape check exists so this cannot happen; if it does, say so rather than crash the caller.
    return {
      ok: false,
      violations: [...shape.problems, { path: '', reason: `not a deployment document: ${(error as Error).message}` }],
    };
  }
  const context = new ValidationContext(shape.rejected);

  const header = checkHeader(document, context, defaults);
  const componentsJson = (shape.value['components'] ?? {}) as Record<string, JsonObject>;
  const components: Record<string, ComponentSpec> = {};
  for (const [name, component] of Object.entries(document.components)) {
    if (context.wasRejected(fieldPath('components', name))) continue;
    components[name] = validateComponent(name, component, componentsJson[name] ?? {}, context, device, defaults);
  }
  for (const problem of checkDependencies(document.components)) context.report(problem.path, problem.reason);
  const models = validateModels(document.models, context);
  const routesJson = (shape.value['routes'] ?? []) as JsonObject[];
  const routes = validateRoutes(document.routes, routesJson, new Set(Object.keys(document.models)), context);
  const devices = validateClientDevices(document.devices, context);

  const violations = [...shape.problems, ...context.violations];
  if (violations.length > 0) return { ok: false, violations: sortInDocumentOrder(violations, DeploymentSchema, input) };
  return {
    ok: true,
    deployment: { ...header, components, startOrder: startOrder(components), routes, models, devices, document },
  };
}

function checkHeader(document: Deployment, context: ValidationContext, defaults: DocumentDefaults) {
  if (document.apiVersion !== API_VERSION && context.require('apiVersion', document.apiVersion, API_VERSION)) {
    context.report('apiVersion', `must be ${API_VERSION}, got "${document.apiVersion}"`);
  }
  if (document.kind !== KIND && context.require('kind', document.kind, KIND))
    context.report('kind', `must be ${KIND}, got "${document.kind}"`);
  const metadata = document.metadata;
  const name = metadata?.name ?? '';
  if (context.require('metadata.name', name, "the deployment's name, e.g. line-3")) {
    const problem = nameProblem(name, 'deployment name');
    if (problem) context.report('metadata.name', problem);
  }
  const revision = metadata?.revision ?? 0n;
  if (revision > BigInt(Number.MAX_SAFE_INTEGER))
    context.report('metadata.revision', `must be at most ${Number.MAX_SAFE_INTEGER}`);
  return {
    name,
    revision: Number(revision),
    target: metadata?.target ?? '',
    failurePolicy: context.choice('failurePolicy', document.failurePolicy, ['rollback', 'none'], defaults.failurePolicy),
    timeoutMs: context.duration('timeout', document.timeout, defaults.deploymentTimeoutMs),
  };
}
