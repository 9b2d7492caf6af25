// reflect-metadata first, and the program only after it: in the bundle, esbuild's code splitting evaluates the
// chunks a module imports statically before the module's own body, so a static import of the program would run
// NestJS decorators before the polyfill they need.
import 'reflect-metadata';

const { createProgram } = await import('./program.js');
try {
  await createProgram().parseAsync(process.argv);
} catch (error) {
  process.stderr.write(`lichen: ${(error as Error).message}\n`);
  process.exitCode = 1;
}
