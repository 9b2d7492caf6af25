import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * Where a running Lichen can be reached, written by `lichen run` to `<dataDir>/endpoints.json` once it is up,
 * removed when it stops. The CLI reads it, so `npx lichen health` needs no flags even when a standard port was
 * taken and Lichen moved to another. URLs are written without credentials.
 */
export interface LichenEndpoints {
  /** The `lichen run` process. */
  pid: number;
  deviceId: string;
  services: string[];
  nats: string;
  natsMonitor: string;
  redis: string;
  metrics: string;
  /** Where MQTT client devices connect, when Lichen's NATS has its MQTT listener on. */
  mqtt?: string;
}

export const ENDPOINTS_FILE = 'endpoints.json';

export function writeEndpoints(dataDir: string, endpoints: LichenEndpoints): void {
  const file = join(dataDir, ENDPOINTS_FILE);
  // Only for the operator's own user: the URLs carry no credentials, but the folder is Lichen's.
  writeFileSync(`${file}.tmp`, `${JSON.stringify(endpoints, null, 2)}\n`, { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}

export function readEndpoints(dataDir: string): LichenEndpoints | undefined {
  const file = join(dataDir, ENDPOINTS_FILE);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LichenEndpoints;
  } catch {
    return undefined;
  }
}

export function removeEndpoints(dataDir: string): void {
  rmSync(join(dataDir, ENDPOINTS_FILE), { force: true });
}

/** A running Lichen as a shell finds it: its data folder and what it recorded there. */
export interface FoundLichen {
  dataDir: string;
  endpoints: LichenEndpoints;
}

/**
 * The Lichen this shell would mean: `LICHEN_DATA_DIR` when set, otherwise the nearest `.lichen/` folder from the
 * working directory up, as `git` finds its repository; undefined when none has recorded its endpoints.
 */
export function findLichen(
  env: Readonly<Record<string, string | undefined>> = process.env,
  from: string = process.cwd(),
): FoundLichen | undefined {
  const at = (dataDir: string) => {
    const endpoints = readEndpoints(dataDir);
    return endpoints && { dataDir, endpoints };
  };
  if (env.LICHEN_DATA_DIR) return at(resolve(from, env.LICHEN_DATA_DIR));
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    const found = at(join(dir, '.lichen'));
    if (found) return found;
    if (dirname(dir) === dir) return undefined;
  }
}

/** The endpoints of the Lichen this shell would mean (see `findLichen`). */
export function findEndpoints(
  env: Readonly<Record<string, string | undefined>> = process.env,
  from: string = process.cwd(),
): LichenEndpoints | undefined {
  return findLichen(env, from)?.endpoints;
}
