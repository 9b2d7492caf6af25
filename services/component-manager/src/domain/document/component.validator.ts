import type { JsonObject } from '@bufbuild/protobuf';
import type { Component, ProcessLifecycle } from '@lichen/contracts';
import type { ComponentSpec, DependencyKind, JsonObject as ConfigObject, ProcessScripts } from '../component/component-spec.js';
import type { DocumentDefaults } from './document-defaults.js';
import { validateHealth } from './health-policy.validator.js';
import { subjectProblem } from '@lichen/routes';
import { nameProblem } from './resource-name.js';
import { validateResources } from './resources.validator.js';
import type { ValidationContext } from './validation-context.js';
import { fieldPath, indexPath } from './violation.js';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Docker's rule for network names; `container:<name>` shares another container's network. */
const NETWORK = /^(?:container:)?[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

/** What the component validator needs to know about the device. */
export interface DeviceFacts {
  readonly dockerAvailable: boolean;
}

/**
 * Checks one component of a document and reads it into a `ComponentSpec` with the defaults filled in. `json`
 * is the same component as the shape check normalized it, to tell a zero that was written from one that was
 * left out. Every problem goes to the context; the spec is only meaningful when there were none.
 */
export function validateComponent(
  name: string,
  component: Component,
  json: JsonObject,
  context: ValidationContext,
  device: DeviceFacts,
  defaults: DocumentDefaults,
): ComponentSpec {
  const path = fieldPath('components', name);
  const at = (field: string) => fieldPath(path, field);
  const problem = nameProblem(name, 'component name');
  if (problem) context.report(path, problem);

  const hasImage = component.image !== '' || context.wasRejected(at('image'));
  const hasProcess = component.process !== undefined || context.wasRejected(at('process'));
  if (hasImage && hasProcess)
    context.report(path, 'has both image and process; a component is a Docker image or a native process, keep one');
  if (!hasImage && !hasProcess) context.report(path, 'needs image (a Docker image) or process (a native process)');
  const runtime = hasProcess && !hasImage ? 'process' : 'docker';

  if (component.image !== '' && !device.dockerAvailable)
    context.report(at('image'), 'this device has no Docker engine; use process: instead');
  if (runtime === 'process') {
    for (const field of ['command', 'pullPolicy', 'network'] as const) {
      if (component[field].length > 0)
        context.report(at(field), `only for image components; a process component runs process.run`);
    }
  }
  const process = component.process ? readProcess(component.process, at('process'), context) : undefined;
  const installMs = context.duration(
    at('process.installTimeout'),
    component.process?.installTimeout ?? '',
    defaults.installTimeoutMs,
  );
  if (component.network !== '' && !NETWORK.test(component.network)) {
    context.report(at('network'), `"${component.network}" is not a network (host, bridge, none or a network's name)`);
  }

  return {
    name,
    version: component.version,
    runtime,
    ...(runtime === 'docker' && component.image !== '' ? { image: component.image } : {}),
    ...(runtime === 'docker' && component.command.length > 0 ? { command: component.command } : {}),
    ...(process ? { process } : {}),
    dependsOn: readDependsOn(component.dependsOn, at('dependsOn'), context),
    env: readEnv(component.env, at('env'), context),
    config: (component.config ?? {}) as ConfigObject,
    resources: validateResources(component.resources, json['resources'], at('resources'), context),
    restart: {
      policy: context.choice(
        at('restart.policy'),
        component.restart?.policy ?? '',
        ['always', 'on-failure', 'never'],
        defaults.restartPolicy,
      ),
      onConfigChange: component.restart?.onConfigChange ?? defaults.onConfigChange,
    },
    health: validateHealth(component.health, at('health'), context, defaults),
    timeouts: {
      installMs,
      shutdownMs: context.duration(at('shutdownTimeout'), component.shutdownTimeout, defaults.shutdownTimeoutMs, {
        allowZero: true,
      }),
    },
    pullPolicy: context.choice(
      at('pullPolicy'),
      component.pullPolicy,
      ['if-not-present', 'always', 'never'],
      defaults.pullPolicy,
    ),
    network: component.network || defaults.network,
    permissions: {
      publish: readSubjects(component.permissions?.publish ?? [], at('permissions.publish'), context),
      subscribe: readSubjects(component.permissions?.subscribe ?? [], at('permissions.subscribe'), context),
    },
  };
}

function readProcess(lifecycle: ProcessLifecycle, path: string, context: ValidationContext): ProcessScripts {
  const { install, startup, run, shutdown, cwd } = lifecycle;
  context.require(fieldPath(path, 'run'), run.trim(), 'the command that runs the component');
  const optional = Object.entries({ install, startup, shutdown, cwd }).filter(([, script]) => script !== '');
  return { run, ...Object.fromEntries(optional) };
}

function readDependsOn(
  dependsOn: Record<string, string>,
  path: string,
  context: ValidationContext,
): Record<string, DependencyKind> {
  const out: Record<string, DependencyKind> = {};
  for (const [name, kind] of Object.entries(dependsOn)) {
    if (kind === 'hard' || kind === 'soft') out[name] = kind;
    else context.report(fieldPath(path, name), `must be hard or soft, got "${kind}"`);
  }
  return out;
}

function readEnv(env: Record<string, string>, path: string, context: ValidationContext): Record<string, string> {
  for (const name of Object.keys(env)) {
    if (!ENV_NAME.test(name))
      context.report(
        fieldPath(path, name),
        `"${name}" is not a valid variable name (letters, digits and _, not starting with a digit)`,
      );
    else if (name.startsWith('LICHEN_'))
      context.report(
        fieldPath(path, name),
        'LICHEN_ is reserved: Lichen sets LICHEN_NATS_URL, LICHEN_COMPONENT, ... for the component',
      );
  }
  return { ...env };
}

function readSubjects(subjects: readonly string[], path: string, context: ValidationContext): string[] {
  subjects.forEach((subject, index) => {
    const problem = subjectProblem(subject, { wildcards: true });
    if (problem) context.report(indexPath(path, index), problem);
  });
  return [...subjects];
}
