import { ConfigError, environmentVariable, loadConfig, processEnvironment } from '@lichen/config';
import { hostConfigProblems, hostConfigShape, type HostConfig } from './host-config.js';
import type { ConfigOf, ConfigShape, ServiceDescriptor } from './service-descriptor.js';

type Env = Readonly<Record<string, string | undefined>>;

export interface RuntimeConfig {
  host: HostConfig;
  /** Each hosted service with its own config, in the order given. */
  services: readonly { descriptor: ServiceDescriptor; config: ConfigOf<ConfigShape> }[];
}

/**
 * Reads the host's variables and every hosted service's, and reports every problem of all of them at once:
 * an operator fixes a bad environment in one go, not one variable per restart.
 */
export function loadRuntimeConfig(descriptors: readonly ServiceDescriptor[], env: Env = processEnvironment()): RuntimeConfig {
  const problems: string[] = [...sharedVariables(descriptors), ...hostConfigProblems(env)];
  const attempt = <T>(load: () => T): T | undefined => {
    try {
      return load();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems);
      return undefined;
    }
  };
  const host = attempt(() => loadConfig(hostConfigShape, env));
  const services: RuntimeConfig['services'][number][] = [];
  for (const descriptor of descriptors) {
    const config = attempt(() => loadConfig(descriptor.config, env));
    if (config) services.push({ descriptor, config });
  }
  if (problems.length || !host) throw new ConfigError(problems);
  return { host, services };
}

/** Two services reading one variable, or a service reading a host variable, is a mistake in Lichen itself. */
function* sharedVariables(descriptors: readonly ServiceDescriptor[]): Generator<string> {
  const owner = new Map(Object.keys(hostConfigShape).map((key) => [environmentVariable(key), 'the runtime host']));
  for (const descriptor of descriptors) {
    for (const key of Object.keys(descriptor.config)) {
      const variable = environmentVariable(key);
      const other = owner.get(variable);
      if (other) yield `${variable}: read by both ${other} and ${descriptor.name}`;
      else owner.set(variable, descriptor.name);
    }
  }
}
