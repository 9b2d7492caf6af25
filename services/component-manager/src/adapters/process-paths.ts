import { join } from 'node:path';
import { ProcessRuntimeError } from './process-runtime.error.js';

/** A component name that is safe as one folder name (the deployment's validator is stricter still). */
const safeName = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Where a process component keeps its files: one folder per component under the runtime's root. The record and
 * the exit file describe the current instance; logs and the install marker outlive it.
 */
export interface ProcessPaths {
  readonly dir: string;
  /** The default working directory of its scripts. */
  readonly work: string;
  /** The instance record: which process group is it, started by whom. */
  readonly record: string;
  /** `<pid> <exit code>`, written by the run wrapper when the run script exits. */
  readonly exit: string;
  /** The version and script hash of the last install that succeeded. */
  readonly installed: string;
  readonly stdout: string;
  readonly stderr: string;
}

export function processPaths(root: string, name: string): ProcessPaths {
  if (!safeName.test(name)) {
    throw new ProcessRuntimeError('PROCESS_SPEC_INVALID', `component name ${JSON.stringify(name)} cannot name a folder`, {
      fields: { component: name },
    });
  }
  const dir = join(root, name);
  return {
    dir,
    work: join(dir, 'work'),
    record: join(dir, 'instance.json'),
    exit: join(dir, 'run.exit'),
    installed: join(dir, 'installed.json'),
    stdout: join(dir, 'stdout.log'),
    stderr: join(dir, 'stderr.log'),
  };
}
