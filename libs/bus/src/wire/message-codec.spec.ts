import { create, toBinary } from '@bufbuild/protobuf';
import { headers } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import { ErrorCode, HeartbeatSchema, ServiceErrorSchema } from '@lichen/contracts';
import { LichenError } from '@lichen/errors';
import { BusError } from './bus-error.js';
import { decodeError, decodeMessage, encodeError, encodeMessage } from './message-codec.js';

const withContentType = (value: string) => {
  const h = headers();
  h.set('Content-Type', value);
  return h;
};
const json = (text: string) => new TextEncoder().encode(text);

describe('message codec', () => {
  it('encodes protobuf by default and JSON when asked, and decodes both by their header', () => {
    const binary = encodeMessage(HeartbeatSchema, { deviceId: 'press-7' });
    expect(binary.headers.get('Content-Type')).toBe('application/protobuf');
    expect(decodeMessage(HeartbeatSchema, binary.data, binary.headers).deviceId).toBe('press-7');

    const encoded = encodeMessage(HeartbeatSchema, { deviceId: 'press-7' }, 'application/json');
    expect(new TextDecoder().decode(encoded.data)).toBe('{"deviceId":"press-7"}');
    expect(decodeMessage(HeartbeatSchema, encoded.data, encoded.headers).deviceId).toBe('press-7');
  });

  it('sends extra headers along, but always the Content-Type of the body', () => {
    const wire = encodeMessage(HeartbeatSchema, {}, 'application/json', { 'X-Trace-Id': 't-1', 'Content-Type': 'text/plain' });
    expect(wire.headers.get('X-Trace-Id')).toBe('t-1');
    expect(wire.headers.get('Content-Type')).toBe('application/json');
  });

  it('reads a body without a Content-Type as protobuf, and an empty JSON body as the empty message', () => {
    const data = toBinary(HeartbeatSchema, create(HeartbeatSchema, { deviceId: 'x' }));
    expect(decodeMessage(HeartbeatSchema, data).deviceId).toBe('x');
    expect(decodeMessage(HeartbeatSchema, new Uint8Array(), withContentType('application/json')).deviceId).toBe('');
  });

  it('accepts JSON fields it does not know, as protobuf does', () => {
    const decoded = decodeMessage(
      HeartbeatSchema,
      json('{"deviceId": "a", "addedLater": {"x": 1}}'),
      withContentType('application/json'),
    );
    expect(decoded.deviceId).toBe('a');
  });

  it('rejects a body that does not decode as invalid-argument, naming the type and the reason', () => {
    const decode = () => decodeMessage(HeartbeatSchema, json('{"deviceId": 7}'), withContentType('application/json'));
    expect(decode).toThrow(BusError);
    expect(decode).toThrow(/cannot decode lichen\.v1\.Heartbeat from application\/json: .*device_id.*expected string, got 7/);
    try {
      decode();
    } catch (error) {
      expect(error).toMatchObject({ code: 'BUS_UNDECODABLE', kind: 'invalid-argument', status: 400 });
    }
  });

  it('rejects an unknown Content-Type as unsupported-media-type', () => {
    try {
      decodeMessage(HeartbeatSchema, new Uint8Array(), withContentType('text/yaml'));
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ code: 'BUS_UNSUPPORTED_MEDIA_TYPE', kind: 'unsupported-media-type', status: 415 });
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
    expect(error).toMatchObject({ code: 'BUS_ERROR_REPLY', kind: 'invalid-argument', status: 400, message: 'bad deployment' });
    expect(error?.violations).toEqual([{ path: 'components.a.image', reason: 'required' }]);

    const reply = encodeMessage(HeartbeatSchema, {});
    expect(decodeError(reply.data, reply.headers)).toBeUndefined();
  });

  it('puts any Lichen error on the wire by its kind, with the body code of that kind', () => {
    const wire = encodeError(new LichenError('DEPLOYMENT_BUSY', 'conflict', 'a deployment is running'));
    expect(wire.headers.get('Nats-Service-Error-Code')).toBe('409');
    expect(create(ServiceErrorSchema, decodeMessage(ServiceErrorSchema, wire.data, wire.headers)).code).toBe(ErrorCode.CONFLICT);
    expect(decodeError(wire.data, wire.headers)).toMatchObject({ kind: 'conflict', message: 'a deployment is running' });
  });

  it('keeps an error usable when its body is not a ServiceError', () => {
    const h = headers();
    h.set('Nats-Service-Error', 'no such stream');
    h.set('Nats-Service-Error-Code', '404');
    expect(decodeError(new TextEncoder().encode('not protobuf at all'), h)).toMatchObject({
      kind: 'not-found',
      message: 'no such stream',
    });
  });
});
