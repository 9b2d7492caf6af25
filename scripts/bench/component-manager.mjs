#!/usr/bin/env node
// The component manager against Docker's own tools, side by side, on one Docker engine:
//   - deploy: `lichen deploy -f` of --components containers until it exits 0 (every one RUNNING and past the
//     manager's health settle time), against `docker-compose up -d` of the same containers (same image and
//     command, `init: true`, host network) until it returns with all of them running. Both start from nothing
//     each round (the image is local; everything is removed between rounds); the side that goes first
//     alternates round by round. Both times are wall clock of the command a user types, start-up included.
//   - crash: the main process of a running container is SIGKILLed on the host (the child of its init, as a
//     component's own crash); measured from the kill to the engine's `start` event of its replacement, and to
//     the manager's ERRORED event on the bus (when it noticed). The manager runs with
//     LICHEN_RESTART_BACKOFF_BASE=0ms for this (its default waits 10 s before the first restart, by design) and
//     LICHEN_RESTART_MAX_ERRORS=1000 (3 errors within an hour would make the component BROKEN, by design). The
//     peer is Docker's own restart policy (`--restart always`), killed the same way after it has run 10 s,
//     so its own backoff is at its 100 ms floor.
// Prints `deploy_s=`, `compose_s=`, `ratio=`, `crash_to_restart_ms=` and `crash_noticed_ms=` (medians) first,
// then tables and every round. The benchmark starts its own nats-server and redis-server and the manager
// (`lichen run component-manager`) on them, and removes every container it made, whatever happens.
//
// Needs: a Docker engine on /var/run/docker.sock (or DOCKER_SOCKET), docker-compose, the image
// lichen/node-base:local (scripts/docker/import-base-images.sh node-base), the CLI built (npx nx run cli:build),
// nats-server and redis-server. Run as root (it signals the containers' processes).

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

import { parseArgs } from './lib/args.mjs';
import {
  buildImage,
  containersWithLabel,
  engine,
  engineAnswers,
  followContainerEvents,
  imageExists,
  mainProcessPid,
  removeLabelled,
  removeOnExit,
} from './lib/docker.mjs';
import { firstLine, freePort, loadavgNow, which } from './lib/host.mjs';
import { logTail, makeTempDir, start, waitForHttp } from './lib/processes.mjs';
import { machineSummary, printReport, table } from './lib/report.mjs';
import { log, runBench, startWatchdog } from './lib/run.mjs';
import { lichenEnvironment, startServers } from './lib/servers.mjs';
import { median } from './lib/stats.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const LICHEN = join(ROOT, 'libs/cli/bin/lichen.js'); // what `npx lichen` runs
const BASE_IMAGE = 'lichen/node-base:local';
const IMAGE = 'lichen-bench/idle:1';
// The same command on both sides: an idle process that a SIGTERM ends at once (tini forwards it).
const COMMAND = ['sleep', '2147483647'];
const DOCKER_RESTART_RESET_MS = 10_500; // Docker resets its restart backoff after 10 s of running
const RUN = `bench-cm-${process.pid}`; // device id, compose project, container names, cleanup label
const loadavgAtStart = loadavgNow();
let revision = 0; // every deployment of the run is a revision of the one deployment named RUN

const USAGE = `usage: node scripts/bench/component-manager.mjs [options]     (after \`npx nx run cli:build\`)

  --rounds N         rounds of each measurement, median reported (default 5)
  --components N     containers deployed per round (default 10)
  --metrics-port P   the manager's /metrics port (default: a free one)
  --settle-ms MS     LICHEN_HEALTH_SETTLE of the manager in the deploy measurement (default: its own, 500ms)
  --max-seconds S    abort the whole run after S seconds (default 900)
  --json             print the results as JSON
  -h, --help         this text
`;

const opts = parseArgs(process.argv.slice(2), {
  name: 'component-manager',
  usage: USAGE,
  defaults: { rounds: 5, components: 10, metricsPort: 0, settleMs: undefined, maxSeconds: 900, json: false },
  integers: {
    '--rounds': ['rounds', 1],
    '--components': ['components', 1],
    '--metrics-port': ['metricsPort', 1],
    '--settle-ms': ['settleMs', 0],
    '--max-seconds': ['maxSeconds', 10],
  },
  switches: { '--json': 'json' },
});

runBench('component-manager', async () => {
  const began = Date.now();
  const cancelWatchdog = startWatchdog(opts.maxSeconds);
  await checkPrerequisites();
  if (!(await imageExists(IMAGE))) buildImage(IMAGE, `FROM ${BASE_IMAGE}\nCMD ${JSON.stringify(COMMAND)}\n`);
  removeOnExit(`lichen.device=${RUN}`);
  removeOnExit(`com.docker.compose.project=${composeProject()}`);
  removeOnExit(`lichen-bench=${RUN}`);
  const tmpDir = makeTempDir('lichen-bench-component-manager-');
  const servers = await startServers(tmpDir);
  const { bus, ComponentState, close: closeBus } = await connectBus(servers.natsUrl);
  const states = new StateEvents(bus, ComponentState);
  const events = new EngineEvents();
  const closeEvents = await followContainerEvents((event) => events.push(event));

  log(`deploy vs docker-compose: ${opts.rounds} rounds of ${opts.components} containers`);
  const settle = opts.settleMs === undefined ? {} : { LICHEN_HEALTH_SETTLE: `${opts.settleMs}ms` };
  let manager = await startManager(tmpDir, servers, 'deploy', settle);
  const deployRounds = [];
  for (let round = 1; round <= opts.rounds; round++) {
    const lichenFirst = round % 2 === 1;
    const result = {};
    for (const side of lichenFirst ? ['lichen', 'compose'] : ['compose', 'lichen']) {
      result[side] =
        side === 'lichen' ? await deployOnce(tmpDir, servers, events, round) : await composeOnce(tmpDir, events, round);
    }
    deployRounds.push(result);
    log(
      `round ${round}/${opts.rounds}: lichen deploy ${result.lichen.seconds.toFixed(2)} s ` +
        `(all started at ${result.lichen.startedSeconds.toFixed(2)} s), docker-compose up -d ${result.compose.seconds.toFixed(2)} s ` +
        `(all started at ${result.compose.startedSeconds.toFixed(2)} s)`,
    );
  }
  await stopManager(manager);

  log(`crash to restart: ${opts.rounds} rounds, LICHEN_RESTART_BACKOFF_BASE=0ms`);
  manager = await startManager(tmpDir, servers, 'crash', {
    LICHEN_RESTART_BACKOFF_BASE: '0ms',
    LICHEN_RESTART_MAX_ERRORS: '1000',
  });
  const crashRounds = await crashRoundsOf(tmpDir, servers, states, events);
  await stopManager(manager);
  closeEvents();
  await closeBus();
  cancelWatchdog();

  const deploy = median(deployRounds.map((r) => r.lichen.seconds));
  const compose = median(deployRounds.map((r) => r.compose.seconds));
  const allStartedS = {
    lichen: median(deployRounds.map((r) => r.lichen.startedSeconds)),
    compose: median(deployRounds.map((r) => r.compose.startedSeconds)),
  };
  const crashKeys = ['dieMs', 'noticedMs', 'restartBegunMs', 'restartMs', 'runningMs'];
  const crash = {
    lichen: Object.fromEntries(crashKeys.map((key) => [key, median(crashRounds.map((r) => r.lichen[key]))])),
    docker: Object.fromEntries(['dieMs', 'restartMs'].map((key) => [key, median(crashRounds.map((r) => r.docker[key]))])),
  };
  const report = {
    deployS: deploy,
    composeS: compose,
    ratio: deploy / compose,
    allStartedS,
    crashToRestartMs: crash.lichen.restartMs,
    crashNoticedMs: crash.lichen.noticedMs,
    crash,
    settings: {
      rounds: opts.rounds,
      components: opts.components,
      image: IMAGE,
      command: COMMAND.join(' '),
      healthSettle: opts.settleMs === undefined ? '500ms (the default)' : `${opts.settleMs}ms`,
      crashManagerEnv: 'LICHEN_RESTART_BACKOFF_BASE=0ms LICHEN_RESTART_MAX_ERRORS=1000',
    },
    environment: {
      cpus: cpus().length,
      loadavgStart: loadavgAtStart,
      loadavgEnd: loadavgNow(),
      node: process.version,
      docker: (await engine('GET', '/version')).Version,
      compose: firstLine('docker-compose', ['version', '--short']),
      durationSeconds: (Date.now() - began) / 1000,
    },
    rounds: { deploy: deployRounds, crash: crashRounds },
  };
  printReport(report, { json: opts.json, render });
  return 0;
});

// --------------------------------------------------------------------------------------------- deploy

/** One `lichen deploy -f` of every component, from nothing; then removes them (an empty deployment). */
async function deployOnce(tmpDir, servers, events, round) {
  const names = componentNames();
  const document = join(tmpDir, `deploy-${round}.yaml`);
  writeFileSync(document, deploymentYaml(names, {}));
  const t0 = epochMs();
  const seconds = await timed(
    'lichen-deploy',
    process.execPath,
    [LICHEN, 'deploy', '-f', document, '--nats', servers.natsUrl],
    tmpDir,
  );
  await expectRunning(`lichen.device=${RUN}`, names.length, 'lichen deploy');
  const startedSeconds =
    (events.lastStart(
      names.map((name) => `lichen-${RUN}-${name}`),
      t0,
    ) -
      t0) /
    1000;
  const empty = join(tmpDir, `empty-${round}.yaml`);
  writeFileSync(empty, deploymentYaml([], {}));
  await timed('lichen-teardown', process.execPath, [LICHEN, 'deploy', '-f', empty, '--nats', servers.natsUrl], tmpDir);
  await expectGone(`lichen.device=${RUN}`, 'lichen teardown');
  return { seconds, startedSeconds };
}

/** One `docker-compose up -d` of the same containers, from nothing; then `down`. */
async function composeOnce(tmpDir, events, round) {
  const names = componentNames();
  const file = join(tmpDir, 'docker-compose.yml');
  writeFileSync(file, composeYaml(names));
  const compose = (args) => ['-p', composeProject(), '-f', file, ...args];
  const t0 = epochMs();
  const seconds = await timed('compose-up', 'docker-compose', compose(['up', '-d']), tmpDir);
  await expectRunning(`com.docker.compose.project=${composeProject()}`, names.length, `docker-compose up (round ${round})`);
  const startedSeconds =
    (events.lastStart(
      names.map((name) => `${composeProject()}_${name}_1`),
      t0,
    ) -
      t0) /
    1000;
  await timed('compose-down', 'docker-compose', compose(['down', '-t', '5']), tmpDir);
  await expectGone(`com.docker.compose.project=${composeProject()}`, 'docker-compose down');
  return { seconds, startedSeconds };
}

function componentNames() {
  return Array.from({ length: opts.components }, (_, i) => `c${String(i + 1).padStart(2, '0')}`);
}

/** The next revision of the run's deployment: `names` as docker components, each with `extra` fields. */
function deploymentYaml(names, extra) {
  revision += 1;
  const lines = ['apiVersion: lichen.dev/v1', 'kind: Deployment', `metadata: { name: ${RUN}, revision: ${revision} }`];
  if (names.length === 0) return `${lines.join('\n')}\ncomponents: {}\n`;
  lines.push('components:');
  for (const component of names) {
    lines.push(`  ${component}:`, '    version: 1.0.0', `    image: ${IMAGE}`, `    command: ${JSON.stringify(COMMAND)}`);
    for (const [key, value] of Object.entries(extra)) lines.push(`    ${key}: ${value}`);
  }
  return `${lines.join('\n')}\n`;
}

function composeProject() {
  return RUN.replaceAll('-', '');
}

function composeYaml(names) {
  const lines = ['version: "2.4"', 'services:'];
  for (const name of names) {
    lines.push(
      `  ${name}:`,
      `    image: ${IMAGE}`,
      `    command: ${JSON.stringify(COMMAND)}`,
      '    init: true',
      '    network_mode: host',
    );
  }
  return `${lines.join('\n')}\n`;
}

/** Runs a command to its end (its output in `<tmpDir>/<name>.log`); its wall time in seconds; throws unless exit 0. */
async function timed(name, command, args, cwd) {
  const logPath = join(cwd, `${name}.log`);
  const fd = openSync(logPath, 'a');
  const t0 = performance.now();
  const child = spawn(command, args, { cwd, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const code = await new Promise((ok, ko) => {
    child.on('error', ko);
    child.on('exit', (status, signal) => ok(status ?? signal));
  });
  const seconds = (performance.now() - t0) / 1000;
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${code}:\n${logTail({ logPath }, 25)}`);
  return seconds;
}

async function expectRunning(label, count, what) {
  const containers = await containersWithLabel(label);
  const running = containers.filter((c) => c.State === 'running').length;
  if (running !== count) throw new Error(`${what}: ${running} of ${count} containers running`);
}

async function expectGone(label, what) {
  const deadline = Date.now() + 30_000;
  while ((await containersWithLabel(label)).length > 0) {
    if (Date.now() > deadline) throw new Error(`${what}: containers left behind`);
    await sleep(100);
  }
  await sleep(500); // let the engine settle before the next measurement
}

// ---------------------------------------------------------------------------------------------- crash

/**
 * Deploys one component (restart: always) and starts the Docker peer (`--restart always`), then, round by
 * round, kills the main process of each and times what follows.
 */
async function crashRoundsOf(tmpDir, servers, states, events) {
  const component = 'crashy';
  const lichenName = `lichen-${RUN}-${component}`;
  const peerName = `${RUN}-peer`;
  const document = join(tmpDir, 'crash.yaml');
  writeFileSync(document, deploymentYaml([component], { restart: '{ policy: always }' }));
  await timed('lichen-deploy-crash', process.execPath, [LICHEN, 'deploy', '-f', document, '--nats', servers.natsUrl], tmpDir);
  const peerArgs = ['run', '-d', '--name', peerName, '--label', `lichen-bench=${RUN}`, '--init', '--network', 'host'];
  await timed('docker-run-peer', 'docker', [...peerArgs, '--restart', 'always', IMAGE, ...COMMAND], tmpDir);
  let peerStartedAt = epochMs();

  const rounds = [];
  for (let round = 1; round <= opts.rounds; round++) {
    await states.waitFor(component, 'RUNNING', 0, 30_000);
    const lichen = await crashOnce(lichenName, events, async (killedAt) => {
      const noticed = await states.waitFor(component, 'ERRORED', killedAt, 30_000);
      const begun = await states.waitFor(component, 'STARTING', noticed, 30_000);
      const running = await states.waitFor(component, 'RUNNING', begun, 30_000);
      return { noticedMs: noticed - killedAt, restartBegunMs: begun - killedAt, runningMs: running - killedAt };
    });
    const wait = peerStartedAt + DOCKER_RESTART_RESET_MS - epochMs();
    if (wait > 0) await sleep(wait);
    const docker = await crashOnce(peerName, events, async () => ({}));
    peerStartedAt = epochMs();
    rounds.push({ lichen, docker });
    log(
      `round ${round}/${opts.rounds}: lichen noticed ${lichen.noticedMs.toFixed(0)} ms, restarted ${lichen.restartMs.toFixed(0)} ms; ` +
        `docker restart policy restarted ${docker.restartMs.toFixed(0)} ms`,
    );
  }
  await timed('docker-rm-peer', 'docker', ['rm', '-f', peerName], tmpDir);
  writeFileSync(document, deploymentYaml([], {}));
  await timed('lichen-teardown-crash', process.execPath, [LICHEN, 'deploy', '-f', document, '--nats', servers.natsUrl], tmpDir);
  return rounds;
}

/** SIGKILLs the main process of container `name`; times the engine's `die` and the replacement's `start`. */
async function crashOnce(name, events, more) {
  const pid = await mainProcessPid(name);
  const killedAt = epochMs();
  process.kill(pid, 'SIGKILL');
  const died = await events.waitFor(name, 'die', killedAt - 1, 30_000);
  const started = await events.waitFor(name, 'start', killedAt, 30_000);
  return { dieMs: died - killedAt, restartMs: started - killedAt, ...(await more(killedAt)) };
}

/** The engine's container events, kept so that a wait can find one that came before it began waiting. */
class EngineEvents {
  #seen = [];
  #waiters = new Set();

  push(event) {
    this.#seen.push(event);
    for (const waiter of this.#waiters) waiter();
  }

  /** The engine time (ms) of the last `start` of any of `names` at or after `afterMs`; throws if one has none. */
  lastStart(names, afterMs) {
    const times = names.map((name) => this.#seen.find((e) => e.name === name && e.action === 'start' && e.atMs >= afterMs)?.atMs);
    if (times.includes(undefined)) throw new Error(`no start event for ${names[times.indexOf(undefined)]}`);
    return Math.max(...times);
  }

  /** The engine time (ms) of the first `action` of container `name` at or after `afterMs`. */
  waitFor(name, action, afterMs, timeoutMs) {
    return waitUntil(
      this.#waiters,
      timeoutMs,
      `docker ${action} of ${name}`,
      () => this.#seen.find((e) => e.name === name && e.action === action && e.atMs >= afterMs)?.atMs,
    );
  }
}

/** Every `lichen.evt.component.<name>.state` event, stamped with when it arrived here. */
class StateEvents {
  #seen = [];
  #waiters = new Set();

  constructor(bus, ComponentState) {
    bus.subscribe((event, atMs) => {
      this.#seen.push({ component: event.component, state: ComponentState[event.state], atMs });
      for (const waiter of this.#waiters) waiter();
    });
  }

  /** When the first `state` event of `component` at or after `afterMs` arrived (ms since the epoch). */
  waitFor(component, state, afterMs, timeoutMs) {
    return waitUntil(this.#waiters, timeoutMs, `${component} ${state}`, () =>
      afterMs === 0
        ? this.#seen.findLast((e) => e.component === component)?.state === state
          ? epochMs()
          : undefined
        : this.#seen.find((e) => e.component === component && e.state === state && e.atMs >= afterMs)?.atMs,
    );
  }
}

/** Now, in ms since the epoch with sub-ms precision: comparable with the engine's event times. */
function epochMs() {
  return performance.timeOrigin + performance.now();
}

function waitUntil(waiters, timeoutMs, what, probe) {
  return new Promise((ok, ko) => {
    const check = () => {
      const found = probe();
      if (found === undefined) return;
      waiters.delete(check);
      clearTimeout(timer);
      ok(found);
    };
    const timer = setTimeout(() => {
      waiters.delete(check);
      ko(new Error(`no ${what} within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    waiters.add(check);
    check();
  });
}

// ------------------------------------------------------------------------------------ servers, manager

async function checkPrerequisites() {
  if (!(await engineAnswers())) throw new Error('no Docker engine answers on /var/run/docker.sock (set DOCKER_SOCKET)');
  if (!which('docker-compose')) throw new Error('docker-compose is needed: apt-get install docker-compose');
  if (!(await imageExists(IMAGE)) && !(await imageExists(BASE_IMAGE)))
    throw new Error(`${BASE_IMAGE} is missing: scripts/docker/import-base-images.sh node-base`);
  if (!existsSync(join(ROOT, 'libs/cli/dist/main.js'))) throw new Error('the CLI is not built: npx nx run cli:build');
  if (process.getuid?.() !== 0) throw new Error("run as root: the crash measurement signals the containers' processes");
}

async function startManager(tmpDir, servers, name, extraEnv) {
  const metricsPort = opts.metricsPort || (await freePort());
  const dataDir = join(tmpDir, `lichen-${name}`);
  mkdirSync(dataDir, { recursive: true });
  const env = lichenEnvironment(servers, { dataDir, deviceId: RUN, metricsPort }, extraEnv);
  const entry = start(`manager-${name}`, process.execPath, [LICHEN, 'run', 'component-manager'], {
    cwd: tmpDir,
    env,
    logDir: tmpDir,
  });
  await waitForHttp(`http://127.0.0.1:${metricsPort}/healthz`, 60_000, entry);
  return entry;
}

async function stopManager(entry) {
  entry.child.kill('SIGTERM');
  const deadline = Date.now() + 20_000;
  while (!entry.exited && Date.now() < deadline) await sleep(50);
  if (!entry.exited) entry.child.kill('SIGKILL');
  removeLabelled(`lichen.device=${RUN}`);
}

/** A NATS connection that hands each component state event, decoded, to one listener. */
async function connectBus(natsUrl) {
  const { connect } = await import('@nats-io/transport-node');
  const { fromBinary } = await import('@bufbuild/protobuf');
  const contracts = await import(join(ROOT, 'libs/contracts/dist/index.js'));
  const nc = await connect({ servers: natsUrl, name: 'lichen-bench' });
  let listener = () => undefined;
  const subscription = nc.subscribe(contracts.subjects.component.state.pattern, {
    callback: (error, msg) => {
      if (error) return;
      listener(fromBinary(contracts.ComponentStateEventSchema, msg.data), epochMs());
    },
  });
  await nc.flush();
  return {
    bus: { subscribe: (fn) => (listener = fn) },
    ComponentState: Object.fromEntries(
      Object.entries(contracts.ComponentState)
        .filter(([, value]) => typeof value === 'number')
        .map(([key, value]) => [value, key]),
    ),
    close: async () => {
      subscription.unsubscribe();
      await nc.drain();
    },
  };
}

// -------------------------------------------------------------------------------------------- report

function render(report) {
  const { settings, crash, rounds } = report;
  const f = (ms) => ms.toFixed(0);
  const deployRows = rounds.deploy.map((r, i) => [
    `round ${i + 1}`,
    r.lichen.seconds.toFixed(2),
    r.compose.seconds.toFixed(2),
    `${(r.lichen.seconds / r.compose.seconds).toFixed(2)}x`,
    r.lichen.startedSeconds.toFixed(2),
    r.compose.startedSeconds.toFixed(2),
  ]);
  const crashRows = [
    ['engine saw the exit (die event)', f(crash.lichen.dieMs), f(crash.docker.dieMs)],
    ['manager noticed (ERRORED event)', f(crash.lichen.noticedMs), '-'],
    ['restart begun (STARTING event)', f(crash.lichen.restartBegunMs), '-'],
    ['new container started (start event)', f(crash.lichen.restartMs), f(crash.docker.restartMs)],
    ['RUNNING again (health settle passed)', f(crash.lichen.runningMs), '-'],
  ];
  return [
    `deploy_s=${report.deployS.toFixed(2)}`,
    `compose_s=${report.composeS.toFixed(2)}`,
    `ratio=${report.ratio.toFixed(2)}`,
    `crash_to_restart_ms=${report.crashToRestartMs.toFixed(0)}`,
    `crash_noticed_ms=${report.crashNoticedMs.toFixed(0)}`,
    '',
    `${settings.components} containers from nothing to all running (${settings.image}, \`${settings.command}\`, init, host network), ` +
      `seconds, ${settings.rounds} rounds, the first side alternating:`,
    table(
      ['round', 'lichen deploy -f', 'docker-compose up -d', 'ratio', 'lichen: all started', 'compose: all started'],
      [
        ...deployRows,
        [
          'median',
          report.deployS.toFixed(2),
          report.composeS.toFixed(2),
          `${report.ratio.toFixed(2)}x`,
          report.allStartedS.lichen.toFixed(2),
          report.allStartedS.compose.toFixed(2),
        ],
      ],
    ),
    '  the first three columns: until the command exits (0); "all started": until the engine\'s last `start` event.',
    `  lichen deploy exits when every component is RUNNING: started, then alive for LICHEN_HEALTH_SETTLE, here ${settings.healthSettle}.`,
    '',
    `crash to restart, ms from the SIGKILL of the container's main process, median of ${settings.rounds} rounds;`,
    `  manager with ${settings.crashManagerEnv} (by default it waits 10 s before the first restart, and a 3rd error within 1 h is BROKEN);`,
    '  peer: docker run --restart always, killed after 10 s of running (its backoff at the 100 ms floor):',
    table(['step', 'lichen', 'docker restart policy'], crashRows),
    '',
    machineSummary(report.environment) + `; docker ${report.environment.docker}, docker-compose ${report.environment.compose}`,
  ].join('\n');
}
