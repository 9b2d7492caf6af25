// The Docker engine a benchmark drives: its API over the unix socket (no docker CLI in the timed paths, so a
// figure is not the CLI's start-up), its event stream, and removing every container the run made when it ends.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';

const SOCKET = process.env.DOCKER_SOCKET ?? '/var/run/docker.sock';
const cleanupLabels = new Set();

/** One Engine API call; resolves to the answer (parsed when JSON), rejects on a non-2xx status. */
export function engine(method, path, body, socketPath = SOCKET) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request({ socketPath, method, path, headers: payload ? { 'content-type': 'application/json' } : {} }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => {
        if (res.statusCode >= 300) reject(new Error(`docker ${method} ${path}: ${res.statusCode} ${text.trim()}`));
        else resolve(/json/.test(res.headers['content-type'] ?? '') ? JSON.parse(text) : text);
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** True when an engine answers on `socketPath` (DOCKER_SOCKET or /var/run/docker.sock by default). */
export async function engineAnswers(socketPath = SOCKET) {
  try {
    await engine('GET', '/_ping', undefined, socketPath);
    return true;
  } catch {
    return false;
  }
}

/** The containers (running or not) carrying `label` (`key=value`), as the engine lists them. */
export function containersWithLabel(label) {
  const filters = encodeURIComponent(JSON.stringify({ label: [label] }));
  return engine('GET', `/containers/json?all=1&filters=${filters}`);
}

/**
 * Follows the engine's container events from now on, calling `onEvent({ action, name, id, atMs })` for each
 * (`atMs`: the engine's own time, ms since the epoch, sub-ms). Resolves, once the stream is open, to a close().
 */
export function followContainerEvents(onEvent) {
  return new Promise((resolve, reject) => {
    const filters = encodeURIComponent(JSON.stringify({ type: ['container'], event: ['start', 'die'] }));
    const req = request({ socketPath: SOCKET, path: `/events?filters=${filters}` }, (res) => {
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        buffer += chunk;
        for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
          const line = buffer.slice(0, nl).trim();
          buffer = buffer.slice(nl + 1);
          if (!line) continue;
          const event = JSON.parse(line);
          onEvent({
            action: event.Action,
            name: event.Actor?.Attributes?.name,
            id: event.id,
            atMs: Number(event.timeNano) / 1e6,
          });
        }
      });
      resolve(() => req.destroy());
    });
    req.on('error', (error) => (error.code === 'ECONNRESET' ? undefined : reject(error)));
    req.end();
  });
}

/**
 * The pid, on this host, of a running container's main process: the child of its init (`--init`, compose
 * `init: true`), or PID 1 itself when it has none. Killing it is a crash as the component would have one.
 */
export async function mainProcessPid(container) {
  const { State, HostConfig } = await engine('GET', `/containers/${encodeURIComponent(container)}/json`);
  if (!State.Running) throw new Error(`container ${container} is not running`);
  if (!HostConfig.Init) return State.Pid;
  const children = readFileSync(`/proc/${State.Pid}/task/${State.Pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
  if (children.length !== 1) throw new Error(`the init of container ${container} has ${children.length} children, expected 1`);
  return Number(children[0]);
}

/** True when `image` is in the engine's store. */
export async function imageExists(image) {
  try {
    await engine('GET', `/images/${encodeURIComponent(image)}/json`);
    return true;
  } catch {
    return false;
  }
}

/** Builds `tag` from a Dockerfile given as text, with an empty context (docker CLI; not timed). */
export function buildImage(tag, dockerfile) {
  const built = spawnSync('docker', ['build', '-q', '-t', tag, '-'], { input: dockerfile, encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`docker build ${tag} failed: ${built.stderr.trim()}`);
}

/**
 * Removes, when this process exits for any reason (done, failed, interrupted, watchdog), every container
 * carrying `label`. Synchronous (docker CLI), as an 'exit' handler must be.
 */
export function removeOnExit(label) {
  if (cleanupLabels.size === 0) process.on('exit', removeLabelledNow);
  cleanupLabels.add(label);
}

/** Removes every container carrying `label` now (synchronously); returns how many there were. */
export function removeLabelled(label) {
  const listed = spawnSync('docker', ['ps', '-aq', '--filter', `label=${label}`], { encoding: 'utf8' });
  const ids = (listed.stdout ?? '').split('\n').filter(Boolean);
  if (ids.length > 0) spawnSync('docker', ['rm', '-f', ...ids], { stdio: 'ignore' });
  return ids.length;
}

function removeLabelledNow() {
  for (const label of cleanupLabels) removeLabelled(label);
}
