import type { ComponentSpec } from '../domain/component/component-spec.js';
import type { ComponentInstance, LaunchContext } from '../domain/runtime/component-runtime.js';
import { DockerRuntimeError } from './docker-runtime.error.js';

/** The labels Lichen puts on its containers; `lichen.device` is how `list()` and the event stream find them. */
export const LABEL = {
  component: 'lichen.component',
  device: 'lichen.device',
  fingerprint: 'lichen.fingerprint',
  deployment: 'lichen.deployment',
  version: 'lichen.version',
} as const;

export function containerName(deviceId: string, component: string): string {
  return `lichen-${deviceId}-${component}`;
}

/** The image of a docker component; any other spec is a caller's mistake. */
export function imageOf(spec: ComponentSpec): string {
  if (spec.runtime !== 'docker' || !spec.image) {
    throw new DockerRuntimeError('SPEC_NOT_DOCKER', `component ${spec.name} is not a docker component with an image`, {
      fields: { component: spec.name },
    });
  }
  return spec.image;
}

/** The body of the Engine API's `POST /containers/create`, as far as Lichen fills it in. */
export interface ContainerCreateBody {
  name: string;
  Image: string;
  Cmd?: string[];
  Env: string[];
  Labels: Record<string, string>;
  HostConfig: {
    Init: boolean;
    NetworkMode: string;
    Memory?: number;
    MemorySwap?: number;
    NanoCpus?: number;
    RestartPolicy: { Name: string };
  };
}

export function containerCreateBody(
  deviceId: string,
  spec: ComponentSpec & { readonly image: string },
  context: LaunchContext,
): ContainerCreateBody {
  const env = { ...spec.env, ...context.env };
  const { memoryBytes, cpus } = spec.resources;
  return {
    name: containerName(deviceId, spec.name),
    Image: spec.image,
    ...(spec.command ? { Cmd: [...spec.command] } : {}),
    Env: Object.entries(env).map(([key, value]) => `${key}=${value}`),
    Labels: {
      [LABEL.component]: spec.name,
      [LABEL.device]: deviceId,
      [LABEL.fingerprint]: context.fingerprint,
      [LABEL.deployment]: context.deployment,
      [LABEL.version]: spec.version,
    },
    HostConfig: {
      // tini as PID 1 forwards SIGTERM to the component and reaps its children; without it a shell that is
      // PID 1 ignores SIGTERM and every stop waits out its timeout.
      Init: true,
      NetworkMode: spec.network,
      // Swap equal to memory: the limit is what the component may use, not half of it.
      ...(memoryBytes !== undefined ? { Memory: memoryBytes, MemorySwap: memoryBytes } : {}),
      ...(cpus !== undefined ? { NanoCpus: Math.round(cpus * 1e9) } : {}),
      // Lichen restarts components itself, with its own backoff and error count.
      RestartPolicy: { Name: 'no' },
    },
  };
}

/** The parts of `GET /containers/{id}/json` that an instance is made of. */
export interface ContainerInspection {
  Id: string;
  State: {
    Status: string;
    Running: boolean;
    OOMKilled: boolean;
    ExitCode: number;
    Error?: string;
    StartedAt: string;
  };
  Config: { Labels?: Record<string, string> | null };
}

/** An instance for a Lichen container; undefined for a container without Lichen's labels. */
export function toInstance(container: ContainerInspection): ComponentInstance | undefined {
  const labels = container.Config.Labels ?? {};
  const name = labels[LABEL.component];
  if (!name) return undefined;
  const { State: state } = container;
  const startedAt = parseEngineTime(state.StartedAt);
  // Paused and restarting containers still hold their process: running, as far as Lichen is concerned.
  const running = state.Running;
  // A container that was created but never ran has no exit code worth reporting, unless starting it failed.
  const exited = !running && (state.Status === 'exited' || state.Status === 'dead' || Boolean(state.Error));
  return {
    name,
    runtime: 'docker',
    id: container.Id,
    fingerprint: labels[LABEL.fingerprint] ?? '',
    deployment: labels[LABEL.deployment] ?? '',
    status: running ? 'running' : 'exited',
    ...(startedAt ? { startedAt } : {}),
    ...(exited ? { exitCode: state.ExitCode } : {}),
    ...(state.OOMKilled ? { oomKilled: true } : {}),
  };
}

/** The engine writes `0001-01-01T00:00:00Z` for a time that has not happened. */
export function parseEngineTime(value: string | undefined): Date | undefined {
  if (!value || value.startsWith('0001-')) return undefined;
  const time = new Date(value);
  return Number.isNaN(time.getTime()) ? undefined : time;
}
