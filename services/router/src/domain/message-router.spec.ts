import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RouteDefinition } from '@lichen/routes';
import { HOPS_HEADER, type HeaderView, type InboundMessage } from './inbound-message.js';
import { MAX_HOPS, MessageRouter } from './message-router.js';
import { ModelCallError, type ModelAnswer, type RouteOutlet } from './route-outlet.js';

/** Everything the router sent, and answers for models. */
class FakeOutlet implements RouteOutlet {
  readonly published: { subject: string; text: string; hops?: number }[] = [];
  readonly spooled: string[] = [];
  readonly spooledHops: (number | undefined)[] = [];
  spoolFails = false;
  answer: (model: string, text: string) => Promise<ModelAnswer> = async (model, text) => ({
    data: encode(`${model}(${text})`),
  });

  publish(subject: string, data: Uint8Array, _headers: HeaderView | undefined, hops: number | undefined): void {
    this.published.push({ subject, text: decode(data), ...(hops === undefined ? {} : { hops }) });
  }

  async spool(subject: string, _data: Uint8Array, _headers: HeaderView | undefined, hops: number | undefined): Promise<void> {
    if (this.spoolFails) throw new Error('no stream');
    this.spooled.push(subject);
    this.spooledHops.push(hops);
  }

  ask(model: string, data: Uint8Array): Promise<ModelAnswer> {
    return this.answer(model, decode(data));
  }
}

const encode = (text: string) => new TextEncoder().encode(text);
const decode = (data: Uint8Array) => new TextDecoder().decode(data);
const headers = (values: Record<string, string>): HeaderView => ({
  get: (name) => values[name] ?? '',
  keys: () => Object.keys(values),
});
const route = (fields: Partial<RouteDefinition> & { name: string }): RouteDefinition => ({
  from: 'data.>',
  to: 'out',
  sample: 1,
  ...fields,
});

function routerWith(definitions: RouteDefinition[], outlet = new FakeOutlet()) {
  const router = new MessageRouter({ outlet, log: () => undefined });
  router.activate(router.prepare('d1', definitions));
  /** Sends a message the way the bus would: on every subscription whose filter matches it. */
  const send = async (subject: string, body: string | Uint8Array, head?: HeaderView) => {
    const message: InboundMessage = { subject, data: typeof body === 'string' ? encode(body) : body, headers: head };
    for (const filter of router.table.filters) {
      if (filter.match(subject.split('.'))) await router.handle(filter.text, message);
    }
  };
  const counters = (name: string) => {
    const found = router.table.routes.find((running) => running.name === name)?.counters;
    return found && { matched: found.matched, routed: found.routed, dropped: Object.fromEntries(found.dropped) };
  };
  return { router, outlet, send, counters };
}

afterEach(() => vi.restoreAllMocks());

describe('MessageRouter', () => {
  it('delivers exactly the messages whose condition holds, with the tokens from matched put in to', async () => {
    const { outlet, send, counters } = routerWith([
      route({ name: 'hot', from: 'data.*.temp', where: 'payload.t > 40.0', to: 'alerts.$1.hot' }),
    ]);
    await send('data.press-7.temp', '{"t": 45}');
    await send('data.press-8.temp', '{"t": 20}');
    await send('data.press-9.rms', '{"t": 99}');
    expect(outlet.published).toEqual([{ subject: 'alerts.press-7.hot', text: '{"t": 45}' }]);
    expect(counters('hot')).toEqual({ matched: 2, routed: 1, dropped: { condition_false: 1 } });
  });

  it('counts what it cannot read, by reason, and goes on', async () => {
    const { outlet, send, counters } = routerWith([route({ name: 'r', where: 'payload.level > 2.0' })]);
    await send('data.a', 'not json');
    await send('data.a', new Uint8Array([0xff, 0xfe, 0x00, 0x80]));
    await send('data.a', '{"other": 1}');
    await send('data.a', '{"level": "high"}');
    await send('data.a', `${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    await send('data.a', JSON.stringify({ level: 3, blob: 'x'.repeat(1_000_000) }));
    expect(counters('r')).toEqual({ matched: 6, routed: 1, dropped: { not_json: 2, condition_error: 3 } });
    expect(outlet.published).toHaveLength(1);
  });

  it('parses the payload once however many routes read it, and never for routes without a condition', async () => {
    const parse = vi.spyOn(JSON, 'parse');
    const { send, outlet } = routerWith([
      route({ name: 'a', where: 'payload.t > 1.0', to: 'a' }),
      route({ name: 'b', where: 'payload.t > 2.0', to: 'b' }),
      route({ name: 'c', from: 'data.*', where: 'subject == "data.x"', to: 'c' }),
      route({ name: 'd', to: 'd' }),
    ]);
    await send('data.x', '{"t": 3}');
    expect(parse).toHaveBeenCalledTimes(1);
    await send('data.y.z', '{"t": 4}');
    expect(parse).toHaveBeenCalledTimes(2);
    expect(outlet.published.map((message) => message.subject)).toEqual(['a', 'b', 'd', 'c', 'a', 'b', 'd']);
  });

  it('routes a message once per matching route when overlapping subscriptions both receive it, parsing it once', async () => {
    const parse = vi.spyOn(JSON, 'parse');
    const { send, outlet } = routerWith([
      route({ name: 'a', from: 'data.*.c', where: 'payload.t > 1.0', to: 'a' }),
      route({ name: 'b', from: 'data.b.*', where: 'payload.t > 2.0', to: 'b' }),
      route({ name: 'c', from: 'data.>', to: 'c' }),
    ]);
    await send('data.b.c', '{"t": 3}');
    expect(outlet.published.map((message) => message.subject)).toEqual(['a', 'b', 'c']);
    expect(parse).toHaveBeenCalledTimes(1);
  });

  it('counts a hop header that is not a whole number as none, so it cannot switch the loop guard off', async () => {
    const { send, outlet } = routerWith([route({ name: 'loop', from: 'data.>', to: 'data.again' })]);
    await send('data.x', '{}', headers({ [HOPS_HEADER]: 'NaN' }));
    await send('data.x', '{}', headers({ [HOPS_HEADER]: '-1000' }));
    expect(outlet.published.map((message) => message.hops)).toEqual([1, 1]);
  });

  it('samples and rate-limits', async () => {
    const { send, counters } = routerWith([
      route({ name: 'sampled', from: 'data.s', sample: 0.5 }),
      route({ name: 'limited', from: 'data.l', rateLimit: '3/h' }),
    ]);
    for (let index = 0; index < 6; index++) {
      await send('data.s', '{}');
      await send('data.l', '{}');
    }
    expect(counters('sampled')).toEqual({ matched: 6, routed: 3, dropped: { sampled_out: 3 } });
    expect(counters('limited')).toEqual({ matched: 6, routed: 3, dropped: { rate_limited: 3 } });
  });

  it('marks a message another route reads with its hop count, and drops it as a loop past the limit', async () => {
    const { send, outlet, counters } = routerWith([route({ name: 'loop', from: 'data.>', to: 'data.again' })]);
    await send('data.x', '{}');
    expect(outlet.published).toEqual([{ subject: 'data.again', text: '{}', hops: 1 }]);
    await send('data.again', '{}', headers({ [HOPS_HEADER]: String(MAX_HOPS) }));
    expect(counters('loop')).toMatchObject({ dropped: { loop: 1 } });
  });

  it('marks a spooled message a route reads again with its hop count, and never routes replies or server subjects', async () => {
    const { send, outlet, counters } = routerWith([
      route({ name: 'up', from: 'data.*', to: 'cloud:up' }),
      route({ name: 'again', from: 'cloud.out.>', to: 'cloud:up' }),
      route({ name: 'any', from: '*.x', to: 'seen' }),
    ]);
    await send('data.a', '{}');
    expect([outlet.spooled, outlet.spooledHops]).toEqual([['cloud.out.up'], [1]]);
    await send('_INBOX.x', '{}');
    await send('$JS.x', '{}');
    expect(counters('any')?.matched).toBe(0);
  });

  it('spools cloud routes and counts a spool that refuses', async () => {
    const { send, outlet, counters } = routerWith([route({ name: 'up', from: 'data.*.alarm', to: 'cloud:factory/$1/alarms' })]);
    await send('data.p7.alarm', '{}');
    outlet.spoolFails = true;
    await send('data.p7.alarm', '{}');
    expect(outlet.spooled).toEqual(['cloud.out.factory.p7.alarms']);
    expect(counters('up')).toEqual({ matched: 2, routed: 1, dropped: { spool_failed: 1 } });
  });

  it("publishes a model's answer on output, and counts a model that does not answer", async () => {
    const { send, outlet, counters } = routerWith([
      route({ name: 'score', from: 'data.*.vib', to: 'model:bearing', output: 'scores.$1' }),
    ]);
    await send('data.p7.vib', '[1,2]');
    outlet.answer = async () => {
      throw new ModelCallError('unavailable', 'no service answers lichen.infer.bearing');
    };
    await send('data.p7.vib', '[3]');
    expect(outlet.published).toEqual([{ subject: 'scores.p7', text: 'bearing([1,2])' }]);
    expect(counters('score')).toEqual({ matched: 2, routed: 1, dropped: { model_unavailable: 1 } });
  });

  it('keeps an unchanged route running as it was when the routes change, and forgets removed ones', () => {
    const { router } = routerWith([route({ name: 'kept', to: 'a' }), route({ name: 'changed', to: 'b' })]);
    const before = router.table.routes;
    const next = router.prepare('d2', [route({ name: 'kept', to: 'a' }), route({ name: 'changed', to: 'c' })]);
    expect(next.routes[0]).toBe(before[0]);
    expect(next.routes[1]).not.toBe(before[1]);
    expect(next.routes[1]?.counters).toBe(before[1]?.counters);
    router.activate(next);
    router.activate(router.prepare('d3', [route({ name: 'changed', to: 'c' })]));
    expect(router.table.routes.map((running) => running.name)).toEqual(['changed']);
  });
});
