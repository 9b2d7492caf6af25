// `npm start`: runs Lichen on this machine (the steps: lib/start-lichen.mjs). Only the Node check is imported
// up front: on an older Node the other modules might not even load, and the error would name some syntax
// instead of the Node version.
import { ensureNodeVersion } from './lib/node-version.mjs';

ensureNodeVersion();
import('./lib/start-lichen.mjs');
