import { LichenError, type ErrorKind } from '@lichen/errors';

export type DockerRuntimeErrorCode =
  | 'DOCKER_UNAVAILABLE'
  | 'DOCKER_REQUEST_FAILED'
  | 'IMAGE_MISSING'
  | 'IMAGE_PULL_FAILED'
  | 'CONTAINER_NOT_FOUND'
  | 'CONTAINER_START_FAILED'
  | 'SPEC_NOT_DOCKER';

const kinds: Record<DockerRuntimeErrorCode, ErrorKind> = {
  DOCKER_UNAVAILABLE: 'unavailable',
  DOCKER_REQUEST_FAILED: 'internal',
  IMAGE_MISSING: 'not-found',
  IMAGE_PULL_FAILED: 'unavailable',
  CONTAINER_NOT_FOUND: 'not-found',
  CONTAINER_START_FAILED: 'internal',
  SPEC_NOT_DOCKER: 'invalid-argument',
};

/** The Docker engine refused or failed an operation on a component; the message names the component or image. */
export class DockerRuntimeError extends LichenError {
  declare readonly code: DockerRuntimeErrorCode;

  constructor(
    code: DockerRuntimeErrorCode,
    message: string,
    options?: { cause?: unknown; fields?: Readonly<Record<string, unknown>> },
  ) {
    super(code, kinds[code], message, options);
    this.name = 'DockerRuntimeError';
  }
}
