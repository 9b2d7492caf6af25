import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export type ForwardPolicy = 'ACCEPT' | 'DROP';

/**
 * The default policy of the host's iptables FORWARD chain, from the first line of `iptables -S FORWARD`
 * (`-P FORWARD DROP`). A dockerd with iptables on leaves it at DROP; one without leaves it as it found it.
 */
export async function readForwardPolicy(iptables: string): Promise<ForwardPolicy> {
  const { stdout } = await run(iptables, ['-S', 'FORWARD'], { timeout: 10_000 });
  const policy = /^-P FORWARD (ACCEPT|DROP)$/m.exec(stdout)?.[1];
  if (!policy) throw new Error(`no FORWARD policy in \`${iptables} -S FORWARD\`: ${stdout.split('\n')[0]}`);
  return policy as ForwardPolicy;
}

export async function setForwardPolicy(iptables: string, policy: ForwardPolicy): Promise<void> {
  await run(iptables, ['-P', 'FORWARD', policy], { timeout: 10_000 });
}
