import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { fromJson, toJson } from '@bufbuild/protobuf';
import { ValueSchema } from '@bufbuild/protobuf/wkt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bus, type Unsubscribe } from '@lichen/bus';
import { ShadowRequestSchema, ShadowUpdateRequestSchema, subjects } from '@lichen/contracts';
import { LichenError } from '@lichen/errors';
import { createLogger } from '@lichen/logging';
import { startNatsServer, type TestNatsServer } from '@lichen/testing';

// `lichen shadow` against a stand-in sync agent: responders this spec serves on `lichen.shadow.*.*.*`, recording
// each request as JSON, with its subject.
const lichen = fileURLToPath(new URL('../../bin/lichen.js', import.meta.url));

function shadow(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) =>
    execFile(process.execPath, [lichen, 'shadow', ...args, '--nats', nats.url], (error, stdout, stderr) =>
      resolve({ code: (error as { code?: number } | null)?.code ?? 0, stdout, stderr }),
    ),
  );
}

const document = {
  state: {
    desired: fromJson(ValueSchema, { speed: 3 }),
    reported: fromJson(ValueSchema, { speed: 1 }),
    delta: fromJson(ValueSchema, { speed: 3 }),
  },
  metadata: { desired: { speed: { timestamp: 100 } }, reported: { speed: { timestamp: 90 } } },
  version: 4,
  timestamp: 100,
};
const documentJson = {
  state: { desired: { speed: 3 }, reported: { speed: 1 }, delta: { speed: 3 } },
  metadata: { desired: { speed: { timestamp: 100 } }, reported: { speed: { timestamp: 90 } } },
  version: 4,
  timestamp: 100,
};

let nats: TestNatsServer;
let bus: Bus;
const received: { subject: string; request: unknown }[] = [];

beforeAll(async () => {
  nats = await startNatsServer();
  bus = Bus.connect({
    servers: nats.url,
    name: 'sync-agent-stand-in',
    logger: createLogger({ service: 'test', level: 'silent' }),
  });
  await bus.ready;
});

afterAll(async () => {
  await bus?.close();
  await nats?.stop({ removeData: true });
});

describe('lichen shadow', () => {
  it('hints at the sync agent when nothing answers, and exits 1', async () => {
    const { code, stdout, stderr } = await shadow('get', 'press-7', '--timeout', '2s');
    expect([code, stdout]).toEqual([1, '']);
    expect(stderr).toBe(
      'lichen shadow get: no service answers lichen.shadow.press-7.$classic.get (is the sync agent running? start it with `lichen run sync-agent`)\n',
    );
  });

  describe('with the sync agent answering', () => {
    const served: Unsubscribe[] = [];

    beforeAll(async () => {
      served.push(
        bus.serve(subjects.shadow.get, (request, { subject, tokens: [, name] }) => {
          received.push({ subject, request: toJson(ShadowRequestSchema, request) });
          if (name === 'missing')
            throw new LichenError('SHADOW_REJECTED', 'not-found', "No shadow exists with name: 'press-7/missing'");
          return document;
        }),
        bus.serve(subjects.shadow.update, (request, { subject }) => {
          const json = toJson(ShadowUpdateRequestSchema, request);
          received.push({ subject, request: json });
          if (request.version === 1) throw new LichenError('SHADOW_REJECTED', 'conflict', 'Version conflict');
          if (JSON.stringify(json).length > 8_000)
            throw new LichenError('SHADOW_REJECTED', 'too-large', 'The payload exceeds the maximum size allowed');
          return { ...document, clientToken: request.clientToken };
        }),
        bus.serve(subjects.shadow.delete, (request, { subject }) => {
          received.push({ subject, request: toJson(ShadowRequestSchema, request) });
          return { version: 4, timestamp: 120 };
        }),
      );
      await bus.flush();
    });

    afterAll(async () => {
      await Promise.all(served.map((stop) => stop()));
    });

    it("gets the thing's classic shadow without a name, a named one with it, and prints the document as JSON", async () => {
      received.length = 0;
      const classic = await shadow('get', 'press-7');
      expect(classic.code).toBe(0);
      expect(JSON.parse(classic.stdout)).toEqual(documentJson);
      expect(classic.stdout).toContain('\n  "state": {\n');
      expect((await shadow('get', 'press-7', 'fan')).code).toBe(0);
      expect(received.map(({ subject }) => subject)).toEqual([
        'lichen.shadow.press-7.$classic.get',
        'lichen.shadow.press-7.fan.get',
      ]);
    });

    it('sends an update as AWS IoT takes it, to the classic shadow or a named one, and prints the shadow after it', async () => {
      received.length = 0;
      const update = '{"state":{"desired":{"speed":3},"reported":null},"clientToken":"c-1"}';
      const named = await shadow('update', 'press-7', 'fan', update);
      expect(named.code).toBe(0);
      expect(JSON.parse(named.stdout)).toEqual({ ...documentJson, clientToken: 'c-1' });
      expect((await shadow('update', 'press-7', '{"state":{"reported":{"on":true}}}')).code).toBe(0);
      expect(received).toEqual([
        {
          subject: 'lichen.shadow.press-7.fan.update',
          request: { state: { desired: { speed: 3 }, reported: null }, clientToken: 'c-1' },
        },
        { subject: 'lichen.shadow.press-7.$classic.update', request: { state: { reported: { on: true } } } },
      ]);
    });

    it('builds the update from --desired / --reported, with --expected-version', async () => {
      received.length = 0;
      expect((await shadow('update', 'press-7', 'fan', '--desired', '{"speed":5}', '--expected-version', '4')).code).toBe(0);
      expect((await shadow('update', 'press-7', '--reported', '{"speed":5}')).code).toBe(0);
      expect(received).toEqual([
        { subject: 'lichen.shadow.press-7.fan.update', request: { state: { desired: { speed: 5 } }, version: 4 } },
        { subject: 'lichen.shadow.press-7.$classic.update', request: { state: { reported: { speed: 5 } } } },
      ]);
    });

    it("prints a refusal's code and message on stderr and exits 1", async () => {
      const conflict = await shadow('update', 'press-7', 'fan', '{"state":{},"version":1}');
      expect(conflict).toEqual({ code: 1, stdout: '', stderr: 'lichen shadow update: rejected with 409: Version conflict\n' });
      const large = await shadow('update', 'press-7', '--reported', JSON.stringify({ blob: 'x'.repeat(9_000) }));
      expect(large.stderr).toBe('lichen shadow update: rejected with 413: The payload exceeds the maximum size allowed\n');
      const missing = await shadow('get', 'press-7', 'missing');
      expect([missing.code, missing.stderr]).toEqual([
        1,
        "lichen shadow get: rejected with 404: No shadow exists with name: 'press-7/missing'\n",
      ]);
    });

    it('refuses input it cannot send, saying why, and sends nothing', async () => {
      received.length = 0;
      const results = await Promise.all([
        shadow('update', 'press-7', 'fan'),
        shadow('update', 'press-7', 'fan', '{"state":{"desird":{}}}'),
        shadow('update', 'press-7', 'fan', '{}', '--desired', '{}'),
        shadow('update', 'press-7', 'a.b', '{"state":{}}'),
        shadow('get', 'press 7'),
      ]);
      expect(results.map(({ code }) => code)).toEqual([1, 1, 1, 1, 1]);
      expect(results.map(({ stderr }) => stderr.trim())).toEqual([
        expect.stringMatching(
          /^lichen shadow update: the update is not JSON: .* \(to update the shadow "fan", give the update after its name\)$/,
        ),
        expect.stringMatching(/^lichen shadow update: the update is not a shadow update \(.*desird.*\)/),
        'lichen shadow update: give the update either as JSON or with --desired / --reported, not both',
        'lichen shadow update: "a.b" cannot name a thing or a shadow (no dots, spaces, * or >)',
        expect.stringMatching(/"press 7" cannot name a thing or a shadow/),
      ]);
      expect(received).toEqual([]);
    });

    it('deletes a shadow, with --expected-version, and prints the version it had', async () => {
      received.length = 0;
      const deleted = await shadow('delete', 'press-7', 'fan', '--expected-version', '4');
      expect(deleted.code).toBe(0);
      expect(JSON.parse(deleted.stdout)).toEqual({ version: 4, timestamp: 120 });
      expect(received).toEqual([{ subject: 'lichen.shadow.press-7.fan.delete', request: { version: 4 } }]);
    });
  });
});
