import type { ComponentSpec } from '../component/component-spec.js';
import { formatDuration, sleep } from '../deadline.js';
import type { SupervisorPorts } from './component-supervisor.js';

/**
 * Watches a started instance until it is healthy: its health check passes (a command or a TCP port), or, with
 * no check, it has kept running for the settle time. Then RUNNING; after the healthy period its restart counts
 * reset. Not healthy within its startup timeout is an error, reported to `onError`.
 */
export class StartupWatch {
  private readonly controller = new AbortController();

  constructor(
    private readonly ports: Pick<SupervisorPorts, 'runtimes' | 'book' | 'restarts' | 'probe'>,
    private readonly settleMs: number,
    private readonly onError: (spec: ComponentSpec, cause: string) => void,
  ) {}

  /** Starts watching; `isCurrent` turns false once the instance is replaced, stopped or has exited. */
  begin(spec: ComponentSpec, instanceId: string, isCurrent: () => boolean): void {
    void this.watch(spec, instanceId, isCurrent).catch(() => undefined);
  }

  close(): void {
    this.controller.abort(new Error('supervisor closed'));
  }

  private async watch(spec: ComponentSpec, instanceId: string, isCurrent: () => boolean): Promise<void> {
    const started = Date.now();
    const { startupTimeoutMs, check } = spec.health;
    const intervalMs = check?.intervalMs ?? this.settleMs;
    let lastProblem = '';
    while (isCurrent()) {
      const elapsed = Date.now() - started;
      if (elapsed >= startupTimeoutMs) {
        this.onError(spec, `not healthy within ${formatDuration(startupTimeoutMs)}${lastProblem ? `: ${lastProblem}` : ''}`);
        return;
      }
      const remaining = startupTimeoutMs - elapsed;
      const healthy = check ? await this.check(spec, Math.min(remaining, Math.max(intervalMs, 1_000))) : elapsed >= this.settleMs;
      if (!isCurrent()) return;
      if (healthy) {
        this.ports.book.transition(spec, 'RUNNING', { instanceId, reason: '' });
        this.resetAfterHealthyPeriod(spec, isCurrent);
        return;
      }
      lastProblem = check?.command
        ? `health command ${JSON.stringify(check.command.join(' '))} failed`
        : check?.tcp
          ? `nothing accepts connections on ${check.tcp.host}:${check.tcp.port}`
          : '';
      // Without a check, wake exactly when the settle time is over, not at the next whole interval.
      const wait = check ? intervalMs : this.settleMs - (Date.now() - started);
      await sleep(Math.max(0, Math.min(wait, remaining)), this.controller.signal);
    }
  }

  private async check(spec: ComponentSpec, timeoutMs: number): Promise<boolean> {
    const signal = AbortSignal.any([AbortSignal.timeout(timeoutMs), this.controller.signal]);
    const tcp = spec.health.check?.tcp;
    try {
      if (tcp) return await this.ports.probe.tcp(tcp.host, tcp.port, signal);
      return await this.ports.runtimes.get(spec.runtime).runCheck(spec, signal);
    } catch {
      return false;
    }
  }

  private resetAfterHealthyPeriod(spec: ComponentSpec, isCurrent: () => boolean): void {
    void sleep(this.ports.restarts.resetAfterMs, this.controller.signal)
      .then(() => {
        if (!isCurrent() || this.ports.book.get(spec.name)?.state !== 'RUNNING') return;
        this.ports.restarts.forget(spec.name);
        this.ports.book.transition(spec, 'RUNNING', { recentErrors: 0 });
      })
      .catch(() => undefined);
  }
}
