import { runtimeScenarios } from './scenarios.js';

// The component manager on a device without Docker: components are native processes.
runtimeScenarios(
  {
    kind: 'process',
    run: (script) => ({ process: { run: script } }),
    uninstallable: { process: { install: 'echo "fetching model"; exit 7', run: 'sleep 100' } },
    uninstallableCause: 'install script exited with 7',
  },
  { LICHEN_RUNTIMES: 'process' },
);
