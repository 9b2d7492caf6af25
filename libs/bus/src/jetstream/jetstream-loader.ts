export type JetStreamModule = typeof import('@nats-io/jetstream');

let loading: Promise<JetStreamModule> | undefined;

/**
 * The JetStream client, imported on first use: a process that never touches JetStream (most services, the
 * CLI) does not load it. Every caller shares the one import.
 */
export function loadJetStream(): Promise<JetStreamModule> {
  return (loading ??= import('@nats-io/jetstream'));
}
