import { toJson } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { ShadowUpdateRequestSchema } from '@lichen/contracts';
import { readShadowUpdate, type ShadowUpdateInput } from './shadow-update.argument.js';

const asJson = (input: ShadowUpdateInput) => toJson(ShadowUpdateRequestSchema, readShadowUpdate(input));

describe('readShadowUpdate', () => {
  it("takes AWS IoT's update JSON as it is, nulls included", () => {
    expect(
      asJson({ document: '{"state":{"desired":{"fan":{"speed":3}},"reported":null},"clientToken":"c-1","version":4}' }),
    ).toEqual({
      state: { desired: { fan: { speed: 3 } }, reported: null },
      clientToken: 'c-1',
      version: 4,
    });
  });

  it('builds the update from --desired and --reported, with --version', () => {
    expect(asJson({ desired: '{"on":true}', reported: 'null', version: 0 })).toEqual({
      state: { desired: { on: true }, reported: null },
      version: 0,
    });
  });

  it('says what is wrong with the input, before anything is sent', () => {
    expect(() => readShadowUpdate({})).toThrow(/^nothing to update: give the update as JSON/);
    expect(() => readShadowUpdate({ document: '{}', desired: '{}' })).toThrow('not both');
    expect(() => readShadowUpdate({ document: '{"state":' })).toThrow(/^the update is not JSON: /);
    expect(() => readShadowUpdate({ document: 'fan' })).toThrow(/to update the shadow "fan", give the update after its name/);
    expect(() => readShadowUpdate({ desired: '{on}' })).toThrow(/^--desired is not JSON: /);
    expect(() => readShadowUpdate({ document: '{"state":{"desird":{}}}' })).toThrow(
      /^the update is not a shadow update \(.*"desird".*\): it is \{"state"/,
    );
  });

  it('leaves what the sync agent judges to the sync agent', () => {
    expect(asJson({ document: '{"state":{"desired":5}}' })).toEqual({ state: { desired: 5 } });
  });
});
