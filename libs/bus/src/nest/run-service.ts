/**
 * Runs a service's start-up, and when it fails, says so in one line on standard error and exits 1. A Lichen
 * error carries a `code` and a message written for the operator (a bad variable, a taken port), so its
 * message is enough; anything else is unexpected and gets its stack.
 */
export async function runService(name: string, start: () => Promise<unknown>): Promise<void> {
  try {
    await start();
  } catch (error) {
    const named = error instanceof Error && typeof (error as { code?: unknown }).code === 'string';
    const reason = named ? error.message : ((error as Error)?.stack ?? String(error));
    process.stderr.write(`${name} cannot start: ${reason}\n`);
    process.exit(1);
  }
}
