import type Dockerode from 'dockerode';
import { request as httpRequest } from 'node:http';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ComponentSpec } from '../domain/component/component-spec.js';
import type {
  ComponentExit,
  ComponentInstance,
  ComponentRuntime,
  LaunchContext,
  LogEntry,
} from '../domain/runtime/component-runtime.js';
import {
  containerCreateBody,
  containerName,
  imageOf,
  LABEL,
  toInstance,
  type ContainerInspection,
} from './docker-container.spec-mapper.js';
import {
  abortable,
  engineFailure,
  ignoreStatus,
  isConnectionError,
  reasonOf,
  statusOf,
  underSignal,
} from './docker-engine.failure.js';
import { DockerEventsWatcher } from './docker-events.watcher.js';
import { readLogFrames } from './docker-log.reader.js';
import { readPullFailure } from './docker-pull.reader.js';
import { readRegistryAuth, registryHost } from './docker-registry.auth.js';
import { DockerRuntimeError, type DockerRuntimeErrorCode } from './docker-runtime.error.js';

export interface DockerAdapterOptions {
  /** Part of every container's name and its `lichen.device` label: what this device owns. */
  deviceId: string;
  /** The engine's socket; `/var/run/docker.sock` by default. */
  socketPath?: string;
  /** Where `config.json` with registry credentials lives, as `DOCKER_CONFIG`; `~/.docker` by default. */
  dockerConfigDir?: string;
  /** Told of state changes worth one log line (the event stream lost and back, a stop that had to kill). */
  log?: (event: string, fields: Record<string, unknown>) => void;
}

const PING_TIMEOUT_MS = 1_000;
/** How long past its stop timeout the engine gets to report a container gone before it is killed from here. */
const STOP_MARGIN_MS = 2_000;

/**
 * Runs components as Docker containers named `lichen-<device>-<component>`, labelled with the component, device,
 * fingerprint, deployment and version. The only code that knows dockerode, which it loads on first use, so a
 * device without Docker never loads it.
 */
export class DockerAdapter implements ComponentRuntime {
  readonly kind = 'docker' as const;
  readonly #deviceId: string;
  readonly #socketPath: string;
  readonly #configDir: string;
  readonly #log: (event: string, fields: Record<string, unknown>) => void;
  readonly #events: DockerEventsWatcher;
  #client: Promise<Dockerode> | undefined;

  constructor(options: DockerAdapterOptions) {
    this.#deviceId = options.deviceId;
    this.#socketPath = options.socketPath ?? '/var/run/docker.sock';
    this.#configDir = options.dockerConfigDir ?? join(homedir(), '.docker');
    this.#log = options.log ?? (() => undefined);
    this.#events = new DockerEventsWatcher(
      {
        open: async (since, signal) => {
          // dockerode honours `abortSignal` here as everywhere; its typings leave it out for events.
          const options: Dockerode.GetEventsOptions & { abortSignal: AbortSignal } = {
            since,
            filters: { type: ['container'], label: [`${LABEL.device}=${this.#deviceId}`], event: ['die', 'oom'] },
            abortSignal: signal,
          };
          return (await this.#docker()).getEvents(options);
        },
        inspectExit: async (id) => {
          const { State } = await (await this.#docker()).getContainer(id).inspect();
          return { exitCode: State.ExitCode, oomKilled: State.OOMKilled };
        },
      },
      { log: this.#log },
    );
  }

  /** The engine's `/_ping` over its socket, without dockerode: a device with no engine never loads it. */
  available(): Promise<boolean> {
    return new Promise((resolve) => {
      const request = httpRequest({ socketPath: this.#socketPath, path: '/_ping', timeout: PING_TIMEOUT_MS }, (response) => {
        response.resume();
        resolve(response.statusCode === 200);
      });
      request.once('timeout', () => request.destroy());
      request.once('error', () => resolve(false));
      request.end();
    });
  }

  async list(): Promise<ComponentInstance[]> {
    const docker = await this.#docker();
    try {
      const containers = await docker.listContainers({ all: true, filters: { label: [`${LABEL.device}=${this.#deviceId}`] } });
      // Inspect, for what the list leaves out: exit code, OOM kill, start time.
      const inspected = await Promise.all(
        containers.map((container) => docker.getContainer(container.Id).inspect().catch(ignoreStatus(404))),
      );
      return inspected.flatMap((container) => {
        const instance = container && toInstance(container as unknown as ContainerInspection);
        return instance ? [instance] : [];
      });
    } catch (error) {
      throw this.#failure(error, 'DOCKER_REQUEST_FAILED', `cannot list the containers of device ${this.#deviceId}`);
    }
  }

  async install(spec: ComponentSpec, signal: AbortSignal): Promise<void> {
    const image = imageOf(spec);
    const fields = { component: spec.name, image };
    signal.throwIfAborted();
    const docker = await this.#docker();
    if (spec.pullPolicy !== 'always') {
      const present = await abortable(docker.getImage(image).inspect(), signal).then(
        () => true,
        (error: unknown) => {
          if (signal.aborted) throw signal.reason;
          if (statusOf(error) === 404) return false;
          throw this.#failure(error, 'DOCKER_REQUEST_FAILED', `cannot look for image ${image}`, fields);
        },
      );
      if (present) return;
      if (spec.pullPolicy === 'never') {
        throw new DockerRuntimeError(
          'IMAGE_MISSING',
          `image ${image} of component ${spec.name} is not on this device, and its pull policy is never: load it (docker load) or allow a pull`,
          { fields },
        );
      }
    }
    await this.#pull(image, signal, fields);
  }

  async start(spec: ComponentSpec, context: LaunchContext, signal: AbortSignal): Promise<ComponentInstance> {
    const image = imageOf(spec);
    const body = containerCreateBody(this.#deviceId, { ...spec, image }, context);
    const fields = { component: spec.name, image, deployment: context.deployment };
    const docker = await this.#docker();
    return underSignal(signal, async () => {
      await docker.getContainer(body.name).remove({ force: true, abortSignal: signal }).catch(ignoreStatus(404));
      let container: Dockerode.Container;
      try {
        // The name in the query and the rest as the body: dockerode would otherwise put the whole body, env
        // and all, in the URL too.
        const { name, ...rest } = body;
        container = await docker.createContainer({
          _query: { name },
          _body: rest,
          abortSignal: signal,
        } as Dockerode.ContainerCreateOptions);
      } catch (error) {
        if (statusOf(error) === 404) {
          throw new DockerRuntimeError(
            'IMAGE_MISSING',
            `image ${image} of component ${spec.name} is not on this device: install it first`,
            {
              cause: error,
              fields,
            },
          );
        }
        throw this.#failure(error, 'CONTAINER_START_FAILED', `cannot create the container of ${spec.name}`, fields);
      }
      try {
        await container.start({ abortSignal: signal });
        const instance = toInstance((await container.inspect({ abortSignal: signal })) as unknown as ContainerInspection);
        if (!instance) throw new Error(`container ${body.name} lost its labels`);
        return instance;
      } catch (error) {
        throw this.#failure(error, 'CONTAINER_START_FAILED', `cannot start the container of ${spec.name}`, fields);
      }
    });
  }

  async stop(name: string, timeoutMs: number, signal: AbortSignal): Promise<void> {
    const container = (await this.#docker()).getContainer(containerName(this.#deviceId, name));
    const fields = { component: name };
    await underSignal(signal, async () => {
      // The engine sends SIGTERM, then SIGKILL after `t` seconds; if it has not answered by then and a margin,
      // it is killed from here rather than trusted to.
      const deadline = AbortSignal.any([signal, AbortSignal.timeout(timeoutMs + STOP_MARGIN_MS)]);
      const stopped = await container.stop({ t: Math.ceil(timeoutMs / 1000), abortSignal: deadline }).then(
        () => true,
        (error: unknown) => {
          if (signal.aborted) throw signal.reason;
          const status = statusOf(error);
          if (status === 404) return undefined;
          if (status === 304) return true;
          if (isConnectionError(error))
            throw this.#failure(error, 'DOCKER_UNAVAILABLE', `cannot stop the container of ${name}`, fields);
          this.#log('docker.stop.escalated', { ...fields, timeoutMs, error: reasonOf(error) });
          return false;
        },
      );
      if (stopped === undefined) return;
      try {
        if (!stopped) await container.kill({ abortSignal: signal }).catch(ignoreStatus(404, 409));
        await container.remove({ force: true, abortSignal: signal }).catch(ignoreStatus(404, 409));
      } catch (error) {
        throw this.#failure(error, 'DOCKER_REQUEST_FAILED', `cannot stop the container of ${name}`, fields);
      }
    });
  }

  async runCheck(spec: ComponentSpec, signal: AbortSignal): Promise<boolean> {
    const command = spec.health.check?.command;
    if (!command) {
      throw new DockerRuntimeError('SPEC_NOT_DOCKER', `component ${spec.name} has no health check command to run`, {
        fields: { component: spec.name },
      });
    }
    const container = (await this.#docker()).getContainer(containerName(this.#deviceId, spec.name));
    return underSignal(signal, async () => {
      let exec: Dockerode.Exec;
      try {
        exec = await container.exec({ Cmd: [...command], AttachStdout: true, AttachStderr: true, abortSignal: signal });
      } catch (error) {
        // No container, or one that is not running: not healthy.
        if (statusOf(error) === 404 || statusOf(error) === 409) return false;
        throw this.#failure(error, 'DOCKER_REQUEST_FAILED', `cannot run the health check of ${spec.name}`, {
          component: spec.name,
        });
      }
      try {
        // The output is not wanted, but the command runs until it has been read.
        const output = (await exec.start({ Detach: false, Tty: false, abortSignal: signal })) as Readable;
        output.resume();
        await finished(output);
        for (;;) {
          const { Running, ExitCode } = await exec.inspect({ abortSignal: signal });
          if (!Running) return ExitCode === 0;
          await sleep(20, undefined, { signal });
        }
      } catch (error) {
        if (statusOf(error) === 409) return false;
        throw this.#failure(error, 'DOCKER_REQUEST_FAILED', `cannot run the health check of ${spec.name}`, {
          component: spec.name,
        });
      }
    });
  }

  onExit(listener: (exit: ComponentExit) => void): () => void {
    return this.#events.subscribe(listener);
  }

  async *logs(name: string, options: { tail: number; follow: boolean; signal: AbortSignal }): AsyncIterable<LogEntry> {
    const { tail, follow, signal } = options;
    if (signal.aborted) return;
    const container = (await this.#docker()).getContainer(containerName(this.#deviceId, name));
    const request = { stdout: true, stderr: true, timestamps: true, tail, abortSignal: signal };
    let source: AsyncIterable<Buffer | string>;
    try {
      // Without `follow` the engine's answer comes whole, as one buffer.
      source = follow
        ? ((await container.logs({ ...request, follow: true })) as unknown as AsyncIterable<Buffer>)
        : toAsync(await container.logs({ ...request, follow: false }));
    } catch (error) {
      if (signal.aborted) return;
      if (statusOf(error) === 404) {
        throw new DockerRuntimeError('CONTAINER_NOT_FOUND', `component ${name} has no container on this device`, {
          cause: error,
          fields: { component: name },
        });
      }
      throw this.#failure(error, 'DOCKER_REQUEST_FAILED', `cannot read the logs of ${name}`, { component: name });
    }
    try {
      yield* readLogFrames(source);
    } catch (error) {
      // The caller's signal ends a followed log; that is its normal end, not a failure.
      if (signal.aborted) return;
      throw this.#failure(error, 'DOCKER_REQUEST_FAILED', `reading the logs of ${name} failed`, { component: name });
    }
  }

  async close(): Promise<void> {
    await this.#events.close();
  }

  async #pull(image: string, signal: AbortSignal, fields: Record<string, unknown>): Promise<void> {
    const registry = registryHost(image);
    const failed = (reason: string, cause?: unknown) =>
      new DockerRuntimeError('IMAGE_PULL_FAILED', `pulling image ${image} from ${registry} failed: ${reason}`, { cause, fields });
    let authconfig;
    try {
      authconfig = await readRegistryAuth(this.#configDir, image);
    } catch (error) {
      throw failed((error as Error).message, error);
    }
    const docker = await this.#docker();
    await underSignal(signal, async () => {
      let failure: string | undefined;
      try {
        const stream = await docker.pull(image, { abortSignal: signal, ...(authconfig ? { authconfig } : {}) });
        failure = await readPullFailure(stream as Readable, signal);
      } catch (error) {
        if (isConnectionError(error)) throw this.#failure(error, 'IMAGE_PULL_FAILED', `cannot pull image ${image}`, fields);
        throw failed(reasonOf(error), error);
      }
      if (failure) throw failed(failure);
    });
  }

  #failure(error: unknown, code: DockerRuntimeErrorCode, message: string, fields: Record<string, unknown> = {}): Error {
    return engineFailure(error, code, message, { socketPath: this.#socketPath, fields });
  }

  #docker(): Promise<Dockerode> {
    return (this.#client ??= (async () => {
      // Loaded here, not at the top: the CLI bundle carries it, but only a device that runs containers loads it.
      const Docker = (await import('dockerode')).default;
      return new Docker({ socketPath: this.#socketPath });
    })());
  }
}

/** The engine's whole answer, as the one chunk of a stream. */
async function* toAsync(buffer: Buffer): AsyncGenerator<Buffer> {
  yield buffer;
}
