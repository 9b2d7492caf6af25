import { describe, expect, it } from 'vitest';
import { formatMessageLine } from './message-line.format.js';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('formatMessageLine', () => {
  it('prints the subject, a space, then text as it came', () => {
    expect(formatMessageLine('x.b', bytes('hello'))).toBe('x.b hello');
    expect(formatMessageLine('x.a', bytes('{"t": 1}'))).toBe('x.a {"t": 1}');
    expect(formatMessageLine('x.u', bytes('température 21 °C'))).toBe('x.u température 21 °C');
  });

  it('prints JSON spread over lines compact, keeping every value and the white space inside strings', () => {
    const pretty = '{\r\n  "id": 12345678901234567890,\n\t"v": 1.0,\n  "note": "a \\"quoted\\" b  c",\n  "list": [ 1, 2 ]\n}\n';
    expect(formatMessageLine('x.j', bytes(pretty))).toBe(
      'x.j {"id":12345678901234567890,"v":1.0,"note":"a \\"quoted\\" b  c","list":[1,2]}',
    );
  });

  it('prints bytes that are not UTF-8 in base64', () => {
    expect(formatMessageLine('x.bin', new Uint8Array([0xff, 0x00, 0x10, 0x80]))).toBe('x.bin base64:/wAQgA==');
  });

  it('prints text with control characters in base64, JSON or not', () => {
    expect(formatMessageLine('x.t', bytes('line one\nline two'))).toBe(`x.t base64:${btoa('line one\nline two')}`);
    expect(formatMessageLine('x.t', bytes('\u001b[31mred'))).toBe(`x.t base64:${btoa('\u001b[31mred')}`);
    expect(formatMessageLine('x.t', bytes('"a\u0085b"'))).toBe('x.t base64:ImHChWIi');
  });

  it('prints text that starts with base64: in base64, so the two never read alike', () => {
    expect(formatMessageLine('x.t', bytes('base64:aGk='))).toBe(`x.t base64:${btoa('base64:aGk=')}`);
  });

  it('reads a payload that is a view into a larger buffer', () => {
    const buffer = bytes('xxhixx');
    expect(formatMessageLine('x.v', buffer.subarray(2, 4))).toBe('x.v hi');
    expect(formatMessageLine('x.v', new Uint8Array([0, 0xfe, 0]).subarray(1, 2))).toBe('x.v base64:/g==');
  });

  it('ends the line in the space when the payload is empty', () => {
    expect(formatMessageLine('x.e', new Uint8Array())).toBe('x.e ');
  });
});
