import { describe, expect, it } from 'vitest';
import { natsUsersConfig } from './users-config.js';

/** The user lines of the rendered file. */
function entries(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('    {'))
    .map((line) => line.trim());
}

describe('natsUsersConfig', () => {
  it('writes one authorization block listing every user, one per line', () => {
    expect(natsUsersConfig([{ name: 'lichen', password: '$2b$06$hash' }])).toBe(
      [
        '# Written by Lichen (libs/host/src/bus-users): every change is replaced at the next one.',
        'authorization {',
        '  users = [',
        '    { user: "lichen", password: "$2b$06$hash" }',
        '  ]',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('writes permissions, replies to requests and connection types as nats-server names them', () => {
    const text = natsUsersConfig([
      {
        name: 'vibration-sensor',
        password: 'h',
        permissions: {
          publish: { allow: ['data.vibration.>'], deny: ['data.vibration.raw'] },
          subscribe: { allow: ['lichen.components.vibration-sensor.>', '_INBOX.>'] },
          allowResponses: true,
        },
        connectionTypes: ['STANDARD', 'MQTT'],
      },
    ]);
    expect(entries(text)).toEqual([
      '{ user: "vibration-sensor", password: "h", permissions: { publish: { allow: ["data.vibration.>"], deny: ["data.vibration.raw"] }, subscribe: { allow: ["lichen.components.vibration-sensor.>", "_INBOX.>"] }, allow_responses: true }, allowed_connection_types: ["STANDARD", "MQTT"] }',
    ]);
  });

  it('writes an empty allow list as a deny of everything, since nats-server reads it as no list at all', () => {
    const text = natsUsersConfig([
      { name: 'mute', password: 'h', permissions: { publish: { allow: [] }, subscribe: { allow: ['cmd.>'] } } },
    ]);
    expect(entries(text)).toEqual([
      '{ user: "mute", password: "h", permissions: { publish: { deny: [">"] }, subscribe: { allow: ["cmd.>"] } } }',
    ]);
  });

  it('leaves out rules that restrict nothing', () => {
    const text = natsUsersConfig([{ name: 'free', password: 'h', permissions: { publish: {}, subscribe: { deny: [] } } }]);
    expect(entries(text)).toEqual(['{ user: "free", password: "h" }']);
  });

  it('quotes names, passwords and subjects so that none can break the file', () => {
    const text = natsUsersConfig([{ name: 'a"b', password: 'p\\"} ]', permissions: { subscribe: { deny: ['x"y'] } } }]);
    expect(entries(text)).toEqual([
      '{ user: "a\\"b", password: "p\\\\\\"} ]", permissions: { subscribe: { deny: ["x\\"y"] } } }',
    ]);
  });
});
