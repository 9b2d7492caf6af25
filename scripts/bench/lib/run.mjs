// The life of a benchmark run: progress on stderr, the exit code, and stopping everything it started when it
// ends, fails, is interrupted or overruns its time.

import { killAllNow, stopAll } from './processes.mjs';

let stopping = false; // set by a signal or the watchdog: later errors are consequences, not news

/** Writes a progress or warning line to stderr (stdout holds only the results). */
export function log(message) {
  process.stderr.write(`${message}\n`);
}

/**
 * Runs `main` (async, resolving to the exit code) and exits with its code. Every started process is stopped
 * and the temp dirs removed on SIGINT, SIGTERM or SIGHUP (exit 130), when `main` throws (the error is printed
 * as `<name> bench failed`, exit 1), and as a last resort on any process exit.
 */
export function runBench(name, main) {
  process.on('exit', killAllNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      stopping = true;
      log(`\n${signal}: stopping everything the benchmark started`);
      stopAll().finally(() => process.exit(130));
    });
  }
  main().then(
    (code) => process.exit(code),
    (error) => {
      if (stopping) return;
      log(`${name} bench failed: ${error?.stack ?? error}`);
      stopAll().finally(() => process.exit(1));
    },
  );
}

/**
 * Aborts the run after `maxSeconds`: stops everything and exits 3. Returns a function that cancels it; call it
 * once the measuring is done.
 */
export function startWatchdog(maxSeconds) {
  const timer = setTimeout(() => {
    stopping = true;
    log(`\nabort: the run took longer than --max-seconds ${maxSeconds}`);
    stopAll().finally(() => process.exit(3));
  }, maxSeconds * 1000);
  return () => clearTimeout(timer);
}
