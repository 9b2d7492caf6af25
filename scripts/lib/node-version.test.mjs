import assert from 'node:assert/strict';
import { it } from 'node:test';
import { satisfiesMinimum } from './node-version.mjs';

it('compares versions part by part, a missing part counting as 0', () => {
  assert.equal(satisfiesMinimum('20.19.0', '20.19'), true);
  assert.equal(satisfiesMinimum('20.20.2', '20.19'), true);
  assert.equal(satisfiesMinimum('22.0.0', '20.19'), true);
  assert.equal(satisfiesMinimum('20.18.9', '20.19'), false);
  assert.equal(satisfiesMinimum('18.19.1', '20.19'), false);
  assert.equal(satisfiesMinimum('20.9.0', '20.19'), false);
  assert.equal(satisfiesMinimum('20.19.0', '20.19.1'), false);
});
