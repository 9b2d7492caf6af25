import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { create, toJson } from '@bufbuild/protobuf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bus, type Unsubscribe } from '@lichen/bus';
import { RouteListSchema, subjects } from '@lichen/contracts';
import { createLogger } from '@lichen/logging';
import { startNatsServer, type TestNatsServer } from '@lichen/testing';

// `lichen routes` against a stand-in router: a responder this spec serves on `lichen.routes.list`.
const lichen = fileURLToPath(new URL('../../bin/lichen.js', import.meta.url));

function routes(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) =>
    execFile(process.execPath, [lichen, 'routes', '--nats', nats.url, ...args], (error, stdout, stderr) =>
      resolve({ code: (error as { code?: number } | null)?.code ?? 0, stdout, stderr }),
    ),
  );
}

const list = create(RouteListSchema, {
  deploymentId: 'd-7',
  routes: [
    {
      route: { name: 'hot', from: 'sensors.*.temperature', where: 'payload.celsius > 80', to: 'alerts.temperature', sample: 1 },
      counters: { matched: 10n, routed: 7n, dropped: { not_json: 2n, condition_false: 1n } },
    },
  ],
});

let nats: TestNatsServer;
let bus: Bus;

beforeAll(async () => {
  nats = await startNatsServer();
  bus = Bus.connect({ servers: nats.url, name: 'router-stand-in', logger: createLogger({ service: 'test', level: 'silent' }) });
  await bus.ready;
});

afterAll(async () => {
  await bus?.close();
  await nats?.stop({ removeData: true });
});

describe('lichen routes', () => {
  it('hints at the router when nothing answers, and exits 1', async () => {
    const { code, stdout, stderr } = await routes('--timeout', '2s');
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      'lichen routes: no service answers lichen.routes.list (is the router running? start Lichen with `npm start`)\n',
    );
  });

  describe('with the router answering', () => {
    let stop: Unsubscribe;

    beforeAll(async () => {
      stop = bus.serve(subjects.routes.list, () => list);
      await bus.connection?.flush();
    });

    afterAll(async () => {
      await stop?.();
    });

    it('prints the deployment and a row per route with its counters', async () => {
      const { code, stdout } = await routes();
      expect(code).toBe(0);
      expect(stdout).toBe(
        [
          'deployment d-7',
          'NAME  FROM                   WHERE                 TO                  MATCHED  ROUTED  DROPPED',
          'hot   sensors.*.temperature  payload.celsius > 80  alerts.temperature  10       7       3 (not_json 2, condition_false 1)',
          '',
        ].join('\n'),
      );
    });

    it('prints the route list as proto JSON with --json', async () => {
      const { code, stdout } = await routes('--json');
      expect(code).toBe(0);
      expect(JSON.parse(stdout)).toEqual(toJson(RouteListSchema, list));
      expect(stdout.trim().split('\n')).toHaveLength(1);
    });
  });
});
