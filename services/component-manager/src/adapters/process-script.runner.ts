import { spawn } from 'node:child_process';
import { identityOf } from '@lichen/host';
import { signalGroup, waitForGroupGone } from './process-group.js';

/** How a script ended: its exit code, or the signal that killed it; `timedOut` when it was killed for its time. */
export interface ScriptOutcome {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly timedOut: boolean;
}

export interface ScriptLaunch {
  readonly argv: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  /** Descriptors for stdout and stderr, or `ignore`. */
  readonly output: readonly [number, number] | 'ignore';
  readonly timeoutMs?: number;
  readonly signal: AbortSignal;
}

/** Long enough for the kernel to deliver a SIGKILL; only a process stuck in an uninterruptible wait takes longer. */
const killGraceMs = 2_000;

/**
 * Runs a lifecycle script or a check to its end in a process group of its own. At its timeout or at `signal` the
 * whole group is killed; when it ends, whatever it left running in its group is killed too: a lifecycle step
 * must not leave processes behind (a long-lived one belongs in `run`). Rejects with the signal's reason on abort,
 * or with the spawn error (a missing `cwd` or program).
 */
export async function runToCompletion(launch: ScriptLaunch): Promise<ScriptOutcome> {
  launch.signal.throwIfAborted();
  const [program, ...args] = launch.argv;
  if (program === undefined) throw new TypeError('an empty command cannot run');
  const child = spawn(program, args, {
    cwd: launch.cwd,
    env: { ...launch.env },
    detached: true,
    stdio: launch.output === 'ignore' ? 'ignore' : ['ignore', launch.output[0], launch.output[1]],
  });
  // Read at once: the kernel keeps the exited child until Node reaps it, which happens on a later tick.
  const leader = child.pid === undefined ? undefined : identityOf(child.pid);
  const killGroup = (): void => {
    if (leader) signalGroup(leader, 'SIGKILL');
  };

  let timedOut = false;
  const timer =
    launch.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          killGroup();
        }, launch.timeoutMs);
  launch.signal.addEventListener('abort', killGroup, { once: true });

  try {
    const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code, killedBy) => resolve([code, killedBy]));
    });
    killGroup();
    if (leader) await waitForGroupGone(leader, killGraceMs);
    launch.signal.throwIfAborted();
    return { exitCode, signal, timedOut };
  } finally {
    clearTimeout(timer);
    launch.signal.removeEventListener('abort', killGroup);
  }
}
