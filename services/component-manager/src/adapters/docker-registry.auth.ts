import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** What the engine wants in `X-Registry-Auth` to pull from a registry that asks for a login. */
export interface RegistryAuth {
  readonly username?: string;
  readonly password?: string;
  readonly identitytoken?: string;
  readonly serveraddress: string;
}

const DOCKER_HUB = 'docker.io';
/** The names Docker Hub goes by in `config.json` (`docker login` writes the first). */
const dockerHubAliases = new Set(['index.docker.io', 'docker.io', 'registry-1.docker.io']);

/**
 * The registry an image comes from, as Docker reads a reference: the part before the first `/` is a host when it
 * has a `.` or a `:`, is `localhost`, or has capitals; otherwise (`redis`, `library/redis`) the image is on Docker Hub.
 */
export function registryHost(image: string): string {
  const slash = image.indexOf('/');
  if (slash < 0) return DOCKER_HUB;
  const first = image.slice(0, slash);
  const isHost = /[.:]/.test(first) || first === 'localhost' || first !== first.toLowerCase();
  if (!isHost) return DOCKER_HUB;
  return dockerHubAliases.has(first) ? DOCKER_HUB : first;
}

/** `https://registry.example.com/v1/` -> `registry.example.com`, as keys of `auths` are written either way. */
function hostOfKey(key: string): string {
  const host = key.replace(/^[a-z]+:\/\//i, '').split('/')[0] ?? '';
  return dockerHubAliases.has(host) ? DOCKER_HUB : host;
}

/**
 * The credentials `config.json` (the Docker CLI's file, `docker login` writes it) holds for the image's registry:
 * `auths[host].auth` is base64 of `user:password`; `identitytoken` is passed on as it is. Credential helpers
 * (`credsStore`, `credHelpers`) are not run: an entry that only names one gives no credentials.
 */
export function authFromDockerConfig(config: unknown, image: string): RegistryAuth | undefined {
  const auths = (config as { auths?: unknown } | null)?.auths;
  if (typeof auths !== 'object' || auths === null) return undefined;
  const host = registryHost(image);
  const match = Object.entries(auths as Record<string, unknown>).find(([key]) => hostOfKey(key) === host);
  if (!match) return undefined;
  const entry = match[1] as { auth?: unknown; username?: unknown; password?: unknown; identitytoken?: unknown } | null;
  const serveraddress = host === DOCKER_HUB ? 'https://index.docker.io/v1/' : host;
  if (typeof entry?.identitytoken === 'string' && entry.identitytoken) {
    return { identitytoken: entry.identitytoken, serveraddress };
  }
  if (typeof entry?.auth === 'string' && entry.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return undefined;
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1), serveraddress };
  }
  if (typeof entry?.username === 'string' && typeof entry.password === 'string') {
    return { username: entry.username, password: entry.password, serveraddress };
  }
  return undefined;
}

/** Reads `<configDir>/config.json`; no file means no credentials, an unreadable one is an error naming it. */
export async function readRegistryAuth(configDir: string, image: string): Promise<RegistryAuth | undefined> {
  const file = join(configDir, 'config.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`cannot read registry credentials from ${file}: ${(error as Error).message}`, { cause: error });
  }
  try {
    return authFromDockerConfig(JSON.parse(text), image);
  } catch (error) {
    throw new Error(`registry credentials in ${file} are not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}
