import { createProgram } from './program.js';

try {
  await createProgram().parseAsync(process.argv);
} catch (error) {
  process.stderr.write(`lichen: ${(error as Error).message}\n`);
  process.exitCode = 1;
}
