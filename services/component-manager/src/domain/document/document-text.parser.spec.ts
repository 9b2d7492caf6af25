import { describe, expect, it } from 'vitest';
import { parseDocumentText } from './document-text.parser.js';

describe('parseDocumentText', () => {
  it('reads YAML into plain values', () => {
    const text = [
      'apiVersion: lichen.dev/v1',
      'kind: Deployment',
      'metadata: { name: line-3, revision: 7 }',
      'components:',
      '  sensor:',
      '    image: registry.local/sensor:1.2.0',
      '    command: ["node", "sensor.js"]',
      '    env: { SAMPLE_HZ: 100 }',
      '',
    ].join('\n');
    expect(parseDocumentText(text)).toEqual({
      ok: true,
      value: {
        apiVersion: 'lichen.dev/v1',
        kind: 'Deployment',
        metadata: { name: 'line-3', revision: 7 },
        components: { sensor: { image: 'registry.local/sensor:1.2.0', command: ['node', 'sensor.js'], env: { SAMPLE_HZ: 100 } } },
      },
    });
  });

  it('reads JSON, which is YAML too', () => {
    expect(parseDocumentText('{"apiVersion": "lichen.dev/v1", "components": {}}')).toEqual({
      ok: true,
      value: { apiVersion: 'lichen.dev/v1', components: {} },
    });
  });

  it('resolves anchors and aliases, so shared settings can be written once', () => {
    const parsed = parseDocumentText('components:\n  a: &base { image: x, env: { A: "1" } }\n  b: *base\n');
    expect(parsed).toEqual({
      ok: true,
      value: { components: { a: { image: 'x', env: { A: '1' } }, b: { image: 'x', env: { A: '1' } } } },
    });
  });

  it('reports a syntax error with its line and column', () => {
    expect(parseDocumentText('kind: Deployment\ncomponents:\n  sensor: { image: x\n')).toEqual({
      ok: false,
      violations: [{ path: '', reason: expect.stringMatching(/^line 4, column 1: .*flow map/i) }],
    });
  });

  it('reports a key written twice', () => {
    expect(parseDocumentText('kind: Deployment\nkind: Deployment\n')).toEqual({
      ok: false,
      violations: [{ path: '', reason: 'line 2, column 1: Map keys must be unique' }],
    });
  });

  it('reports an unclosed quote where the text ends', () => {
    const parsed = parseDocumentText('metadata:\n  name: "line-3\n');
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.violations[0]?.reason).toMatch(/^line 3, column 1: Missing closing "quote/);
  });

  it('reports an alias to an anchor that does not exist', () => {
    const parsed = parseDocumentText('components:\n  b: *base\n');
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.violations).toEqual([{ path: '', reason: expect.stringContaining('base') }]);
  });

  it('refuses more than one document in the text', () => {
    const parsed = parseDocumentText('kind: Deployment\n---\nkind: Deployment\n');
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.violations[0]?.reason).toMatch(/^line 2, column 1: Source contains multiple documents/);
  });

  it('refuses a list or a key that is a list', () => {
    expect(parseDocumentText('- image: x\n')).toEqual({
      ok: false,
      violations: [
        { path: '', reason: 'the document must be a mapping (apiVersion: lichen.dev/v1, kind: Deployment, ...), got a list' },
      ],
    });
    expect(parseDocumentText('? [a, b]\n: 1\n')).toEqual({
      ok: false,
      violations: [{ path: '', reason: 'line 1, column 3: a key must be a plain value, not a list or a mapping' }],
    });
  });

  it('refuses a scalar and an empty text', () => {
    expect(parseDocumentText('lichen')).toEqual({
      ok: false,
      violations: [
        { path: '', reason: 'the document must be a mapping (apiVersion: lichen.dev/v1, kind: Deployment, ...), got a string' },
      ],
    });
    expect(parseDocumentText('# nothing yet\n')).toEqual({
      ok: false,
      violations: [{ path: '', reason: 'the document is empty' }],
    });
  });
});
