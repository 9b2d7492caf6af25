import { create } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { describe, expect, it } from 'vitest';
import { CloudLinkState, CloudStatusSchema } from '@lichen/contracts';
import { formatCloudStatus } from './cloud-status.format.js';

const now = new Date('2026-11-26T12:00:00Z');

describe('formatCloudStatus', () => {
  it('says the link is down, why, when it tries again, and what waits in the spool', () => {
    const status = create(CloudStatusSchema, {
      link: {
        state: CloudLinkState.DISCONNECTED,
        endpoint: 'mqtts://a1b2.iot.eu-west-1.amazonaws.com:8883/',
        clientId: 'press-7',
        lastError: 'the broker refused the client certificate: it does not trust the CA that signed it (...)',
        since: timestampFromMs(now.getTime() - 90_000),
        retryInSeconds: 30,
      },
      spool: {
        depth: 1200n,
        bytes: 3n * 1024n * 1024n,
        oldestAgeSeconds: 95,
        forwarded: 10n,
        dropped: 0n,
        duplicateSuspects: 2n,
      },
      protocolVersion: 5,
      subscriptions: ['factory/line-3/cmd/#'],
    });
    expect(formatCloudStatus(status, now)).toEqual([
      'link        disconnected for 1m30s, next attempt within 30s',
      'broker      mqtts://a1b2.iot.eu-west-1.amazonaws.com:8883/ (MQTT 5, client id press-7)',
      'last error  the broker refused the client certificate: it does not trust the CA that signed it (...)',
      'subscribed  factory/line-3/cmd/#',
      'spool       1200 waiting, oldest 1m35s old, 3.0 MiB on disk',
      'forwarded   10, dropped 0, sent again 2 (since the agent started)',
    ]);
  });

  it('says when the spool cannot be read, and what the broker refused', () => {
    const status = create(CloudStatusSchema, {
      link: {
        state: CloudLinkState.CONNECTED,
        endpoint: 'mqtt://broker:1883',
        clientId: 'press-7',
        since: timestampFromMs(now.getTime() - 5_000),
      },
      spool: { forwarded: 7n, dropped: 0n, refused: 2n, duplicateSuspects: 0n },
      protocolVersion: 4,
    });
    expect(formatCloudStatus(status, now)).toEqual([
      'link        connected for 5s',
      'broker      mqtt://broker:1883 (MQTT 3.1.1, client id press-7)',
      'spool       cannot be read now (is NATS up?)',
      'forwarded   7, dropped 0, refused by the broker 2, sent again 0 (since the agent started)',
    ]);
  });

  it('says when no cloud is configured', () => {
    const status = create(CloudStatusSchema, {
      link: { state: CloudLinkState.DISABLED, since: timestampFromMs(now.getTime()) },
      spool: { depth: 0n, bytes: 0n },
      protocolVersion: 5,
    });
    expect(formatCloudStatus(status, now)).toEqual([
      'link        disabled: no cloud is configured (set LICHEN_CLOUD_URL); shadows and the spool stay on the device',
      'spool       0 waiting, 0 B on disk',
      'forwarded   0, dropped 0, sent again 0 (since the agent started)',
    ]);
  });
});
