export type JetStreamModule = typeof import('@nats-io/jetstream');

let loading: Promise<JetStreamModule> | undefined;

/**
 * The JetStream client, imported on first use: a process that never touches JetStream (most services, the
 * CLI) does not load it. Every caller shares the one import. The package is CommonJS: bundled, its dynamic import
 * yields the module under `default` only, so both shapes are taken.
 */
export function loadJetStream(): Promise<JetStreamModule> {
  return (loading ??= import('@nats-io/jetstream').then((module) =>
    'jetstreamManager' in module ? module : (module as unknown as { default: JetStreamModule }).default,
  ));
}
