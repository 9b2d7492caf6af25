import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { identityOf, type ProcessIdentity } from '@lichen/host';

/**
 * The shell that runs a component's `run` script and outlives nothing but it. It leads the process group (its pid
 * is the group id), waits for the script, then writes `<its pid> <exit code>` to the exit file (renamed into
 * place, so a reader never sees half of it) and exits with that code. Why a wrapper: a manager that restarted
 * cannot wait() for a process it did not start, so without the file the exit code of an adopted component would
 * be lost. It catches TERM, INT and HUP with a no-op trap instead of ignoring them: the script starts with the
 * default actions (an ignored signal would be inherited and could not be trapped again), and a stop's SIGTERM to
 * the group reaches the script while the wrapper stays to record how it ended. A signal that kills the script
 * shows as 128 + its number, as in any shell and in Docker. Only SIGKILL of the wrapper loses the code.
 */
const wrapper = [
  'trap : TERM INT HUP',
  'sh -c "$1"',
  'code=$?',
  `printf '%s %s\\n' "$$" "$code" > "$2.tmp" && mv -f "$2.tmp" "$2"`,
  'exit "$code"',
].join('\n');

export interface RunLaunch {
  readonly name: string;
  readonly script: string;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly exitFile: string;
  readonly stdout: number;
  readonly stderr: number;
}

/** Starts the run script detached, in a new session and process group, writing to files: it survives the manager. */
export async function launchRun(launch: RunLaunch): Promise<{ child: ChildProcess; identity: ProcessIdentity }> {
  const child = spawn('sh', ['-c', wrapper, `lichen:${launch.name}`, launch.script, launch.exitFile], {
    cwd: launch.cwd,
    env: { ...launch.env },
    detached: true,
    stdio: ['ignore', launch.stdout, launch.stderr],
  });
  if (child.pid === undefined) {
    const [error] = (await once(child, 'error')) as [Error];
    throw error;
  }
  const identity = identityOf(child.pid);
  if (!identity) {
    child.kill('SIGKILL');
    throw new Error(`cannot read /proc/${child.pid}/stat`);
  }
  child.unref();
  return { child, identity };
}
