import { toJsonString } from '@bufbuild/protobuf';
import type { Bus } from '@lichen/bus';
import { DeploymentPhase, DeploymentStatusSchema, type DeploymentStatus } from '@lichen/contracts';
import { phaseName } from '../format/deployment-phase.js';
import { deploymentLabel, deploymentOutcome } from '../format/deployment.format.js';
import { formatSpan } from '../format/time.format.js';
import { formatRejection } from '../format/violations.format.js';
import { isRejection } from './bus-command.js';
import { asText, type CliOutput } from './cli-output.js';
import { DeploymentWatch } from './deployment-watch.js';
import { progressView } from './progress-view.js';

export interface FollowOptions {
  /** Follow the deployment to its end; false prints its id and phase and returns at once. */
  wait: boolean;
  /** NDJSON of each status instead of the live view or plain lines. */
  json: boolean;
  /** How long to follow before giving up (the deployment goes on on the device). */
  timeoutMs: number;
  /** How long to wait for each reply. */
  requestTimeoutMs: number;
}

/** Exit codes of a command that starts a deployment. */
export const DeployExit = { succeeded: 0, failed: 1, rejected: 2 } as const;

/**
 * Starts a deployment with `start` (a deploy or a rollback request), listening to progress events from before
 * the request, and follows it to its final phase. Returns the exit code: 0 only when it succeeded (or was
 * queued, with `wait` off), 2 when the device rejected the request (every problem listed), 1 otherwise.
 */
export async function startAndFollow(
  bus: Bus,
  output: CliOutput,
  what: string,
  start: () => Promise<DeploymentStatus>,
  options: FollowOptions,
): Promise<number> {
  const watch = options.wait ? await DeploymentWatch.open(bus) : undefined;
  try {
    let queued: DeploymentStatus;
    try {
      queued = await start();
    } catch (error) {
      if (!isRejection(error)) throw error;
      if (options.json) output.out(`${JSON.stringify({ error: { message: error.message, violations: error.violations } })}\n`);
      output.err(asText(formatRejection(what, error.message, error.violations)));
      return DeployExit.rejected;
    }
    if (!watch) {
      output.out(
        options.json ? `${toJsonString(DeploymentStatusSchema, queued)}\n` : `${queued.id} ${phaseName(queued.phase)}\n`,
      );
      return DeployExit.succeeded;
    }
    const { status, timedOut } = await watch.follow(queued, progressView(output, options), options);
    if (timedOut) {
      output.err(
        `deployment ${deploymentLabel(status)} still ${phaseName(status.phase)} after ${formatSpan(options.timeoutMs)}; ` +
          `it goes on on the device: see \`lichen status\`, or stop it with \`lichen cancel ${status.id}\`\n`,
      );
      return DeployExit.failed;
    }
    const outcome = asText(deploymentOutcome(status));
    if (status.phase === DeploymentPhase.SUCCEEDED) {
      // Plain lines already ended with the phase; under a live view, say how long it took.
      if (output.tty && !options.json) output.out(outcome);
      return DeployExit.succeeded;
    }
    output.err(outcome);
    return DeployExit.failed;
  } finally {
    await watch?.close();
  }
}

/** What to say when the operator stops following with Ctrl-C: the deployment does not stop with the CLI. */
export function stopFollowingOnInterrupt(): void {
  process.once('SIGINT', () => {
    process.stderr.write(
      '\nstopped following; the deployment goes on on the device: see `lichen status`, or stop it with `lichen cancel`\n',
    );
    process.exit(130);
  });
}
