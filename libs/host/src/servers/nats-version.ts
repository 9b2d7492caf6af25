import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

/** The first releases with the MQTT fixes (GHSA-jxxm-27vp-c3m5, CVE-2026-33215), per minor line. */
const fixedMqtt: readonly (readonly [number, number, number])[] = [
  [2, 11, 15],
  [2, 12, 6],
];

/** `nats-server --version` as numbers (`nats-server: v2.9.10` is [2, 9, 10]); undefined when it cannot tell. */
export async function natsServerVersion(command: string): Promise<[number, number, number] | undefined> {
  try {
    const { stdout } = await promisify(execFile)(command, ['--version'], { timeout: 5_000 });
    const match = /v?(\d+)\.(\d+)\.(\d+)/.exec(stdout);
    return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether a nats-server version applies permissions under `$MQTT.>` and keeps one client ID from taking over
 * another's session: 2.11.15 and later on 2.11, 2.12.6 and later on 2.12, every later minor.
 */
export function hasMqttFixes([major, minor, patch]: readonly [number, number, number]): boolean {
  if (major !== 2) return major > 2;
  const line = fixedMqtt.find(([, fixedMinor]) => fixedMinor === minor);
  if (line) return patch >= line[2];
  return minor > 12;
}
