import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BusError } from '@lichen/bus';
import { cloudSpool, subjects } from '@lichen/contracts';
import { waitFor } from '@lichen/testing';
import { RouterDevice, routesDocument } from './router-device.js';

// Routes as an operator uses them: written in a deployment, applied to the component manager, run by the router
// in the same `lichen run`, against a real NATS with JetStream and a real Redis.
const device = new RouterDevice();
let revision = 0;
const deploy = (routes: string) => device.deploy(routesDocument(++revision, routes));

beforeAll(() => device.start(), 60_000);
afterAll(() => device.stop(), 30_000);

describe('router', () => {
  it('delivers exactly the messages whose condition holds, with the tokens from matched in the target subject', async () => {
    await deploy(`  - { name: hot, from: "temp.*.reading", where: "payload.t > 40.0", to: "alerts.$1.hot" }\n`);
    const alerts = await device.listen('alerts.>');
    device.publish('temp.press-7.reading', '{"t": 45}');
    device.publish('temp.press-8.reading', '{"t": 20}');
    device.publish('temp.press-9.reading', '{"t": 41.5, "unit": "C"}');
    device.publish('temp.press-9.other', '{"t": 99}');
    await waitFor(() => alerts.length >= 2, { what: 'two alerts' });
    await sleep(200);
    expect(alerts).toEqual([
      { subject: 'alerts.press-7.hot', text: '{"t": 45}' },
      { subject: 'alerts.press-9.hot', text: '{"t": 41.5, "unit": "C"}' },
    ]);
    expect(await device.routeCounters('hot')).toMatchObject({ matched: 3n, routed: 2n, dropped: { condition_false: 1n } });
  });

  it('counts payloads it cannot read and keeps routing', async () => {
    await deploy(`  - { name: picky, from: "raw.>", where: "payload.level > 2.0", to: "picked" }\n`);
    const picked = await device.listen('picked');
    device.publish('raw.a', 'not json at all');
    device.publish('raw.a', new Uint8Array([0xff, 0x00, 0xfe, 0x13, 0x37]));
    device.publish('raw.a', `${'['.repeat(50_000)}${']'.repeat(50_000)}`);
    device.publish('raw.a', JSON.stringify({ level: 5, blob: 'x'.repeat(900_000) }));
    device.publish('raw.a', '{"level": "high"}');
    device.publish('raw.a', '{"level": 3}');
    await waitFor(async () => (await device.routeCounters('picky'))?.matched === 6n, { what: 'six messages matched' });
    expect(await device.routeCounters('picky')).toMatchObject({
      routed: 2n,
      dropped: { not_json: 2n, condition_error: 2n },
    });
    await waitFor(() => picked.length === 2, { what: 'the two good messages' });
    expect(picked[1]).toEqual({ subject: 'picked', text: '{"level": 3}' });
  });

  it('rejects a deployment whose condition does not compile, naming the route and the position, and changes nothing', async () => {
    const before = await device.bus.request(subjects.routes.list, {});
    const attempt = device.deploy(
      routesDocument(++revision, `  - { name: broken, from: "data.>", where: "payload.rms >> 4.0", to: "x" }\n`),
    );
    const error = await attempt.catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(BusError);
    expect((error as BusError).violations).toEqual([
      { path: 'routes[0].where', reason: 'Unexpected token: GT at column 14 of "payload.rms >> 4.0"' },
    ]);
    expect((await device.bus.request(subjects.routes.list, {})).deploymentId).toBe(before.deploymentId);
  });

  it("sends a model route's payload to lichen.infer.<name> and publishes the answer on its output", async () => {
    const served = device.bus.subscribeRaw('lichen.infer.doubler', (data, meta) => {
      const { x } = JSON.parse(new TextDecoder().decode(data)) as { x: number };
      if (meta.reply) device.bus.publishRaw(meta.reply, new TextEncoder().encode(JSON.stringify({ y: x * 2 })));
    });
    await device.bus.flush();
    await deploy(
      `  - { name: score, from: "vib.*", to: "model:doubler", output: "scores.$1" }\nmodels:\n  doubler: { version: "1", uri: "file:///models/doubler.onnx" }\n`,
    );
    const scores = await device.listen('scores.>');
    device.publish('vib.press-7', '{"x": 21}');
    await waitFor(() => scores.length === 1, { what: 'the model answer' });
    expect(scores).toEqual([{ subject: 'scores.press-7', text: '{"y":42}' }]);
    await served();
  });

  it('spools a cloud route through JetStream, and the spooled message survives a restart of the router', async () => {
    await deploy(`  - { name: up, from: "alarm.*", to: "cloud:factory/$1/alarms" }\n`);
    device.publish('alarm.press-7', '{"level": "high"}');
    const stored = async () => {
      const jsm = await (await import('@nats-io/jetstream')).jetstreamManager(device.bus.connection!);
      return (await jsm.streams.getMessage(cloudSpool.stream, { last_by_subj: 'cloud.out.factory.press-7.alarms' })) ?? undefined;
    };
    const message = await waitFor(() => stored().catch(() => undefined), { what: 'the spooled message' });
    expect(new TextDecoder().decode(message.data)).toBe('{"level": "high"}');
    await device.stopRuntime('SIGKILL');
    await device.startRuntime();
    expect((await stored())?.seq).toBe(message.seq);
  });

  it('loses and doubles no message on a route that did not change while overlapping routes come and go', async () => {
    const steady = `  - { name: steady, from: "steady.in", to: "steady.out" }\n`;
    await deploy(`${steady}  - { name: moving, from: "moving.in", to: "moving.a" }\n`);
    const out = await device.listen('steady.out');
    let sent = 0;
    let sending = true;
    const pump = (async () => {
      while (sending) {
        device.publish('steady.in', String(sent++));
        if (sent % 20 === 0) await sleep(1);
      }
    })();
    await deploy(`${steady}  - { name: moving, from: "steady.>", to: "moving.b" }\n`);
    await deploy(`  - { name: moving, from: "steady.*", where: "true", to: "moving.c" }\n${steady}`);
    await deploy(`${steady}  - { name: moving, from: "moving.in", to: "moving.a" }\n`);
    sending = false;
    await pump;
    await waitFor(() => out.length >= sent, { what: `${sent} messages on the steady route`, timeoutMs: 10_000 });
    await sleep(300);
    expect(sent).toBeGreaterThan(1_000);
    expect(out.length).toBe(sent);
    expect(new Set(out.map((message) => message.text)).size).toBe(sent);
  });

  it('shows per-route counters and latency on /metrics', async () => {
    await deploy(`  - { name: gauge, from: "gauge.*", where: "payload.v > 1.0", to: "meter.out" }\n`);
    device.publish('gauge.a', '{"v": 2}');
    device.publish('gauge.a', '{"v": 0}');
    device.publish('gauge.a', 'oops');
    await waitFor(async () => (await device.routeCounters('gauge'))?.matched === 3n, { what: 'three messages matched' });
    const metrics = await (await fetch(device.metricsUrl)).text();
    expect(metrics).toMatch(/^lichen_route_messages_matched_total\{route="gauge"\} 3$/m);
    expect(metrics).toMatch(/^lichen_route_messages_routed_total\{route="gauge"\} 1$/m);
    expect(metrics).toMatch(/^lichen_route_messages_dropped_total\{route="gauge",reason="condition_false"\} 1$/m);
    expect(metrics).toMatch(/^lichen_route_messages_dropped_total\{route="gauge",reason="not_json"\} 1$/m);
    expect(metrics).toMatch(/^lichen_route_latency_seconds_count\{route="gauge"\} 1$/m);
  });
});
