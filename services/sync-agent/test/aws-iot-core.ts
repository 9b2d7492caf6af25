import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import mqtt, { type IClientOptions, type IPublishPacket, type MqttClient } from 'mqtt';
import type { JsonObject } from '../src/domain/shadow/json-value.js';
import type { ShadowDocument } from '../src/domain/shadow/shadow-document.js';
import type { ShadowRejection } from '../src/domain/shadow/shadow-rejection.js';
import { JobsService, type JobExecutionView } from './aws-iot-jobs.js';
import { ShadowService, type CloudReply, type ShadowOperation } from './aws-iot-shadows.js';

export type { JobExecutionStatus, JobExecutionView } from './aws-iot-jobs.js';

/** A message a device published on a topic the test listens to. */
export interface DeviceMessage {
  readonly topic: string;
  readonly payload: Buffer;
  readonly qos: number;
  readonly retain: boolean;
  /** MQTT 5 user properties (empty for a 3.1.1 publisher). */
  readonly userProperties: Readonly<Record<string, string | string[]>>;
  /** Milliseconds since the epoch. */
  readonly receivedAt: number;
}

/** The request topics of AWS IoT's shadow and jobs services, for every thing. */
const REQUEST_FILTERS = [
  '$aws/things/+/shadow/get',
  '$aws/things/+/shadow/update',
  '$aws/things/+/shadow/delete',
  '$aws/things/+/shadow/name/+/get',
  '$aws/things/+/shadow/name/+/update',
  '$aws/things/+/shadow/name/+/delete',
  '$aws/things/+/jobs/get',
  '$aws/things/+/jobs/start-next',
  // also `$next/get`: `+` matches `$next`, and a second, overlapping subscription would deliver requests twice
  '$aws/things/+/jobs/+/get',
  '$aws/things/+/jobs/+/update',
];
/** MQTT 5 subscription identifiers tell requests from listened topics when filters overlap (`$aws/#`). */
const REQUESTS = 1;

/**
 * "AWS IoT Core" for tests, on any MQTT broker: one MQTT 5 client plays the cloud side of the Device Shadow and
 * Jobs services on `$aws/things/...` (QoS 1 both ways), keeps what the device published on topics the test
 * listens to, and lets the test act as a cloud application would (update a shadow, queue a job).
 */
export class AwsIotCore {
  private readonly shadows = new ShadowService();
  private readonly jobs = new JobsService();
  private readonly log: DeviceMessage[] = [];
  private readonly listening = new Map<string, number>();
  private readonly sending = new Set<Promise<void>>();
  private readonly failures: Error[] = [];
  private closing = false;

  private constructor(private readonly client: MqttClient) {}

  /** Connects as the cloud and subscribes to every thing's shadow and jobs requests (SUBACKs awaited). */
  static async connect(brokerUrl: string, options: IClientOptions = {}): Promise<AwsIotCore> {
    const client = await mqtt.connectAsync(brokerUrl, {
      protocolVersion: 5,
      clientId: `aws-iot-core-${randomUUID().slice(0, 8)}`,
      reconnectPeriod: 250,
      connectTimeout: 5_000,
      ...options,
    });
    const core = new AwsIotCore(client);
    client.on('message', (topic, payload, packet) => core.onMessage(topic, payload, packet));
    await core.subscribe(REQUEST_FILTERS, REQUESTS);
    return core;
  }

  /** Waits for replies still being published, then disconnects; rejects if a request could not be answered. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.sending]);
    this.closing = true;
    await this.client.endAsync();
    const [first] = this.failures;
    if (first) {
      throw new Error(`AWS IoT Core harness: ${this.failures.length} requests went unanswered: ${first.message}`, {
        cause: first,
      });
    }
  }

  // --- shadows -----------------------------------------------------------------------------------------------

  shadow(thing: string, name?: string): ShadowDocument | undefined {
    return this.shadows.document(thing, name);
  }

  /**
   * Changes a shadow as a cloud application does with UpdateThingShadow (`body` as on `/update`): resolves with
   * the new document once AWS's `/update/accepted`, `/update/delta` and `/update/documents` are at the broker;
   * rejects with the HTTP code and message AWS would answer.
   */
  async updateShadow(thing: string, name: string | undefined, body: unknown): Promise<ShadowDocument> {
    const outcome = this.shadows.update(thing, name, body);
    if (!outcome.ok) throw refusal('UpdateThingShadow', thing, name, outcome.rejection);
    await this.send(outcome.replies);
    return outcome.value;
  }

  /** DeleteThingShadow: resolves with the deleted version once `/delete/accepted` is at the broker. */
  async deleteShadow(thing: string, name?: string): Promise<{ version: number }> {
    const outcome = this.shadows.delete(thing, name);
    if (!outcome.ok) throw refusal('DeleteThingShadow', thing, name, outcome.rejection);
    await this.send(outcome.replies);
    return outcome.value;
  }

  // --- jobs ----------------------------------------------------------------------------------------------------

  /** Queues an execution (QUEUED, version 1); `notify-next` goes out if it is now the thing's next one. */
  async createJob(thing: string, jobId: string, document: JsonObject): Promise<void> {
    await this.send(this.jobs.create(thing, jobId, document));
  }

  /** Cancels a pending execution from the cloud (CANCELED); `notify-next` goes out if the next one changed. */
  async cancelJob(thing: string, jobId: string): Promise<void> {
    await this.send(this.jobs.cancel(thing, jobId));
  }

  execution(thing: string, jobId: string): JobExecutionView | undefined {
    return this.jobs.execution(thing, jobId);
  }

  async waitForExecution(
    thing: string,
    jobId: string,
    predicate: (execution: JobExecutionView) => boolean,
    timeoutMs = 10_000,
  ): Promise<JobExecutionView> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const execution = this.jobs.execution(thing, jobId);
      if (execution && predicate(execution)) return execution;
      if (Date.now() > deadline) {
        const now = execution
          ? `${execution.status} at version ${execution.versionNumber} (${execution.history.join(' > ')})`
          : 'not created';
        throw new Error(`job ${jobId} on ${thing} did not reach the expected state in ${timeoutMs} ms; it is ${now}`);
      }
      await sleep(20);
    }
  }

  // --- what the device published ------------------------------------------------------------------------------

  /** Subscribes (QoS 1) to a topic filter; what the device publishes there is kept from now on. */
  async listen(filter: string): Promise<void> {
    if (this.listening.has(filter)) return;
    const id = REQUESTS + 1 + this.listening.size;
    this.listening.set(filter, id);
    await this.subscribe([filter], id);
  }

  /** What arrived so far on topics matching `filter` (which `listen` must cover), oldest first. */
  received(filter: string): DeviceMessage[] {
    return this.log.filter((message) => topicMatches(filter, message.topic));
  }

  /** Waits until at least `count` messages arrived on topics matching `filter`; resolves with all of them. */
  async waitForMessages(filter: string, count: number, timeoutMs = 10_000): Promise<DeviceMessage[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const messages = this.received(filter);
      if (messages.length >= count) return messages;
      if (Date.now() > deadline) {
        const covered = [...this.listening.keys()].join(', ') || 'nothing';
        throw new Error(
          `${messages.length} of ${count} messages on ${filter} arrived in ${timeoutMs} ms (listening to ${covered})`,
        );
      }
      await sleep(20);
    }
  }

  // --- the MQTT side ------------------------------------------------------------------------------------------

  private async subscribe(filters: string[], id: number): Promise<void> {
    const granted = await this.client.subscribeAsync(filters, { qos: 1, properties: { subscriptionIdentifier: id } });
    const refused = granted.filter((grant) => grant.qos >= 0x80);
    if (refused.length > 0) {
      throw new Error(`the broker refused the subscriptions ${refused.map((grant) => grant.topic).join(', ')}`);
    }
  }

  private onMessage(topic: string, payload: Buffer, packet: IPublishPacket): void {
    const ids = [packet.properties?.subscriptionIdentifier ?? []].flat();
    // a broker without subscription identifiers: the topic says which it is
    const isRequest = ids.length > 0 ? ids.includes(REQUESTS) : REQUEST_FILTERS.some((filter) => topicMatches(filter, topic));
    const isListened = ids.length > 0 ? ids.some((id) => id !== REQUESTS) : !isRequest;
    if (isRequest) {
      try {
        void this.send(this.answer(topic, payload)).catch(() => undefined);
      } catch (error) {
        this.failures.push(new Error(`answering ${topic} failed: ${String(error)}`, { cause: error }));
      }
    }
    if (isListened) {
      this.log.push({
        topic,
        payload,
        qos: packet.qos,
        retain: packet.retain,
        userProperties: packet.properties?.userProperties ?? {},
        receivedAt: Date.now(),
      });
    }
  }

  /** Hands a request to the service its topic names: `$aws/things/{thing}/shadow/...` or `.../jobs/...`. */
  private answer(topic: string, payload: Buffer): CloudReply[] {
    const [, , thing = '', service, ...rest] = topic.split('/');
    if (service === 'jobs') return this.jobs.request(thing, rest, payload);
    const named = rest[0] === 'name';
    return this.shadows.request(thing, named ? rest[1] : undefined, (named ? rest[2] : rest[0]) as ShadowOperation, payload);
  }

  /** Publishes replies in order, QoS 1; resolves when the broker has them all. */
  private send(replies: CloudReply[]): Promise<void> {
    const sent = Promise.all(
      replies.map((reply) => this.client.publishAsync(reply.topic, JSON.stringify(reply.body), { qos: 1 })),
    ).then(
      () => undefined,
      (error: unknown) => {
        const failure = error instanceof Error ? error : new Error(String(error));
        if (!this.closing) this.failures.push(failure);
        throw failure;
      },
    );
    this.sending.add(sent);
    void sent.catch(() => undefined).finally(() => this.sending.delete(sent));
    return sent;
  }
}

/** What AWS's REST API answers to a refused shadow call, as an error. */
function refusal(call: string, thing: string, name: string | undefined, rejection: ShadowRejection): Error {
  return new Error(`${call} ${thing}/${name ?? '(classic shadow)'}: ${rejection.code} ${rejection.message}`);
}

/** MQTT topic matching: `+` one level, `#` the rest; a wildcard first never matches a `$` topic. */
export function topicMatches(filter: string, topic: string): boolean {
  if (topic.startsWith('$') && /^[+#]/.test(filter)) return false;
  const wanted = filter.split('/');
  const levels = topic.split('/');
  for (let index = 0; index < wanted.length; index++) {
    if (wanted[index] === '#') return true;
    if (index >= levels.length || (wanted[index] !== '+' && wanted[index] !== levels[index])) return false;
  }
  return wanted.length === levels.length;
}
