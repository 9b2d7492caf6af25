import { describe, expect, it } from 'vitest';
import type { CloudLink, CloudMessage, LinkStatus } from '../link/cloud-link.js';
import { topicMatches } from '../link/topic-filter.js';
import { CloudShadows } from './cloud-shadows.js';

/** A link whose PUBACKs the test gives, and which delivers what the test says the cloud sent. */
class SlowLink implements CloudLink {
  status: LinkStatus = { state: 'connected', since: 0 };
  published: { topic: string; body: Record<string, unknown>; confirm: () => void; fail: (error: Error) => void }[] = [];
  #handlers: { filter: string; handler: (message: CloudMessage) => void }[] = [];
  onStatus() {
    return () => undefined;
  }
  publish(topic: string, payload: Uint8Array): Promise<void> {
    return new Promise((confirm, fail) =>
      this.published.push({ topic, body: JSON.parse(new TextDecoder().decode(payload)), confirm, fail }),
    );
  }
  subscribe(filter: string, handler: (message: CloudMessage) => void) {
    this.#handlers.push({ filter, handler });
    return () => undefined;
  }
  deliver(topic: string, body: unknown) {
    const message = { topic, payload: new TextEncoder().encode(JSON.stringify(body)) };
    for (const { filter, handler } of this.#handlers) if (topicMatches(filter, topic)) handler(message);
  }
}

const address = { thing: 'press-7', shadow: 'fan' };
const later = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('CloudShadows', () => {
  it('counts the wait for an answer from the broker taking the request, and matches it by its client token', async () => {
    const link = new SlowLink();
    const shadows = new CloudShadows(link, 'press-7', 20);
    shadows.start(() => undefined);
    const reply = shadows.request(address, 'get');
    await later(40);
    link.published[0]!.confirm();
    await later(5);
    const token = link.published[0]!.body.clientToken;
    link.deliver('$aws/things/press-7/shadow/name/fan/get/accepted', { clientToken: token, version: 3, state: {} });
    await expect(reply).resolves.toEqual({ accepted: true, body: { clientToken: token, version: 3, state: {} } });
  });

  it('fails a request with no answer in time, and one whose publish fails, each once', async () => {
    const link = new SlowLink();
    const shadows = new CloudShadows(link, 'press-7', 20);
    shadows.start(() => undefined);
    const outcomes = Promise.allSettled([shadows.request(address, 'get'), shadows.request(address, 'update', { state: {} })]);
    link.published[0]!.confirm();
    link.published[1]!.fail(new Error('the link to the cloud broker is down'));
    const [unanswered, lost] = await outcomes;
    expect(unanswered).toMatchObject({
      status: 'rejected',
      reason: { message: 'no answer from the cloud to $aws/things/press-7/shadow/name/fan/get within 20 ms' },
    });
    expect(lost).toMatchObject({ status: 'rejected', reason: { message: 'the link to the cloud broker is down' } });
  });

  it('answers the requests still waiting when it stops, and tells what the cloud changed on its own', async () => {
    const link = new SlowLink();
    const shadows = new CloudShadows(link, 'press-7', 10_000);
    const changed: string[] = [];
    const stop = shadows.start(({ shadow }) => changed.push(shadow));
    link.deliver('$aws/things/press-7/shadow/name/fan/update/delta', { state: { speed: 3 }, version: 4 });
    link.deliver('$aws/things/press-7/shadow/update/documents', { current: {}, clientToken: 'someone-else' });
    link.deliver('$aws/things/other/shadow/name/fan/update/delta', { state: {} });
    expect(changed).toEqual(['fan', '$classic']);
    const waiting = shadows.request(address, 'get');
    stop();
    await expect(waiting).resolves.toMatchObject({ accepted: false, message: 'the shadow sync stopped' });
  });
});
