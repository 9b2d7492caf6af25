// `npm test`: the whole suite on a fresh Debian machine that has only Node and npm (the steps: lib/test-suite.mjs).
// Only the Node check is imported up front: on an older Node the suite's modules might not even load, and the
// error would name some syntax instead of the Node version.
import { ensureNodeVersion } from './lib/node-version.mjs';

ensureNodeVersion();
import('./lib/test-suite.mjs');
