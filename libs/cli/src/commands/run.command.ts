import { setFlagsFromString } from 'node:v8';
import { Command } from 'commander';
import { processEnvironment } from '@lichen/config';
import type { RuntimeHost } from '@lichen/host';
import { serviceCatalog } from '../run/service-catalog.js';

/** `lichen run [service...]`: Lichen's services in this process, until SIGTERM or Ctrl-C. */
export function runCommand(): Command {
  const known = Object.keys(serviceCatalog);
  return new Command('run')
    .description('run Lichen services in this process: all of them when none is named')
    .argument('[service...]', `services to run (${known.join(', ')})`)
    .action(async (names: string[], _options: unknown, command: Command) => {
      const unknown = names.filter((name) => !(name in serviceCatalog));
      if (unknown.length) {
        command.error(`lichen run: no service named ${unknown.join(', ')}; Lichen has ${known.join(', ')}`, { exitCode: 1 });
      }
      // Installed before anything starts: a signal during start-up must not kill the process on the spot and
      // leave its NATS and Redis (in process groups of their own) running. It stops the runtime once it is up.
      const state: { runtime?: RuntimeHost; stopping?: number } = {};
      const stop = async (code: number) => {
        if (state.stopping !== undefined) {
          if (state.runtime) process.exit(1); // a second Ctrl-C does not wait
          return;
        }
        state.stopping = code;
        if (state.runtime) process.exit((await state.runtime.stop()) ? code : 1);
      };
      process.on('SIGTERM', () => void stop(0));
      process.on('SIGINT', () => void stop(0));

      // Before the services load: unless LICHEN_OPTIMIZE_FOR=throughput (the host checks the value), V8 sizes its
      // heap for memory rather than peak speed. Measured: the health exporter's idle RSS 105 -> 84-93 MB, CPU per
      // scrape unchanged; but under load the sync agent spends about twice the CPU per message, the router a
      // quarter more (scripts/bench/footprint, router, sync-agent; README).
      if (processEnvironment()['LICHEN_OPTIMIZE_FOR'] !== 'throughput') setFlagsFromString('--optimize-for-size');
      // In the catalogue's order, whatever the order of the names.
      const chosen = Object.entries(serviceCatalog).filter(([name]) => !names.length || names.includes(name));
      const [{ startRuntime }, services] = await Promise.all([
        import('@lichen/host'),
        Promise.all(chosen.map(([, load]) => load())),
      ]);
      const runtime = await startRuntime({ services }).catch((error: unknown) => {
        process.stderr.write(`lichen run: cannot start: ${startFailure(error)}\n`);
        process.exit(1);
      });
      state.runtime = runtime;
      runtime.fatal.catch((error: unknown) => {
        process.stderr.write(`lichen run: ${startFailure(error)}\n`);
        void stop(1);
      });
      if (state.stopping !== undefined) process.exit((await runtime.stop()) ? state.stopping : 1);
    });
}

/** A Lichen error is written for the operator: its message is enough. Anything else is a bug: its stack. */
function startFailure(error: unknown): string {
  const named = error instanceof Error && typeof (error as { code?: unknown }).code === 'string';
  return named ? error.message : ((error as Error)?.stack ?? String(error));
}
