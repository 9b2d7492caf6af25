import type { PullPolicy, RestartPolicyName } from '../component/component-spec.js';

/**
 * What a deployment document means when it leaves a field out. Greengrass v2's and Azure IoT Edge's
 * choices, kept; a device can pass its own to the validator.
 */
export interface DocumentDefaults {
  readonly failurePolicy: 'rollback' | 'none';
  readonly deploymentTimeoutMs: number;
  readonly startupTimeoutMs: number;
  readonly installTimeoutMs: number;
  readonly shutdownTimeoutMs: number;
  readonly restartPolicy: RestartPolicyName;
  readonly onConfigChange: boolean;
  readonly pullPolicy: PullPolicy;
  /** `host`, so a container reaches the device's NATS on loopback. */
  readonly network: string;
  readonly healthIntervalMs: number;
  /** The host of a `health.tcp` check written as a bare port. */
  readonly healthTcpHost: string;
}

export const DOCUMENT_DEFAULTS: DocumentDefaults = Object.freeze({
  failurePolicy: 'rollback',
  deploymentTimeoutMs: 10 * 60_000,
  startupTimeoutMs: 120_000,
  installTimeoutMs: 120_000,
  shutdownTimeoutMs: 15_000,
  restartPolicy: 'always',
  onConfigChange: false,
  pullPolicy: 'if-not-present',
  network: 'host',
  healthIntervalMs: 1_000,
  healthTcpHost: '127.0.0.1',
});
