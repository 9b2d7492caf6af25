import { create, toBinary } from '@bufbuild/protobuf';
import { headers } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import { ErrorCode, HeartbeatSchema } from '@lichen/contracts';
import { BusError } from './bus-error.js';
import { decodeError, decodeMessage, encodeError, encodeMessage } from './message-codec.js';

const withContentType = (value: string) => {
  const h = headers();
  h.set('Content-Type', value);
  return h;
};

describe('message codec', () => {
  it('encodes protobuf by default and JSON when asked, and decodes both by their header', () => {
    const binary = encodeMessage(HeartbeatSchema, { deviceId: 'press-7' });
    expect(binary.headers.get('Content-Type')).toBe('application/protobuf');
    expect(decodeMessage(HeartbeatSchema, binary.data, binary.headers).deviceId).toBe('press-7');

    const json = encodeMessage(HeartbeatSchema, { deviceId: 'press-7' }, 'application/json');
    expect(new TextDecoder().decode(json.data)).toBe('{"deviceId":"press-7"}');
    expect(decodeMessage(HeartbeatSchema, json.data, json.headers).deviceId).toBe('press-7');
  });

  it('reads a body without a Content-Type as protobuf, and an empty JSON body as the empty message', () => {
    const data = toBinary(HeartbeatSchema, create(HeartbeatSchema, { deviceId: 'x' }));
    expect(decodeMessage(HeartbeatSchema, data).deviceId).toBe('x');
    expect(decodeMessage(HeartbeatSchema, new Uint8Array(), withContentType('application/json')).deviceId).toBe('');
  });

  it('rejects a body that does not decode as INVALID_ARGUMENT, naming the type and the reason', () => {
    const decode = () =>
      decodeMessage(HeartbeatSchema, new TextEncoder().encode('{"deviceId": 7}'), withContentType('application/json'));
    expect(decode).toThrow(BusError);
    expect(decode).toThrow(/cannot decode lichen\.v1\.Heartbeat from application\/json: .*device_id.*expected string, got 7/);
  });

  it('rejects an unknown Content-Type as UNSUPPORTED_MEDIA_TYPE', () => {
    try {
      decodeMessage(HeartbeatSchema, new Uint8Array(), withContentType('text/yaml'));
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ code: ErrorCode.UNSUPPORTED_MEDIA_TYPE, status: 415 });
    }
  });

  it('round-trips an error through headers and body, and tells a normal reply from an error', () => {
    const wire = encodeError(
      BusError.invalid('bad deployment', [{ path: 'components.a.image', reason: 'required' }]),
      'application/json',
    );
    expect(wire.headers.get('Nats-Service-Error')).toBe('bad deployment');
    expect(wire.headers.get('Nats-Service-Error-Code')).toBe('400');
    const error = decodeError(wire.data, wire.headers);
    expect(error).toMatchObject({ code: ErrorCode.INVALID_ARGUMENT, message: 'bad deployment' });
    expect(error?.violations).toEqual([{ path: 'components.a.image', reason: 'required' }]);

    const reply = encodeMessage(HeartbeatSchema, {});
    expect(decodeError(reply.data, reply.headers)).toBeUndefined();
  });

  it('keeps an error usable when its body is not a ServiceError', () => {
    const h = headers();
    h.set('Nats-Service-Error', 'no such stream');
    h.set('Nats-Service-Error-Code', '404');
    expect(decodeError(new TextEncoder().encode('not protobuf at all'), h)).toMatchObject({
      code: ErrorCode.NOT_FOUND,
      message: 'no such stream',
    });
  });
});
