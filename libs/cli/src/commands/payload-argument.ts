import { readFile } from 'node:fs/promises';

/** Where a payload's bytes can come from besides the command line; files and stdin by default. */
export interface PayloadSources {
  file(path: string): Promise<Uint8Array>;
  stdin(): Promise<Uint8Array>;
}

const local: PayloadSources = {
  file: (path) => readFile(path),
  stdin: async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  },
};

/** A payload as `lichen pub` takes it: `-` reads stdin to its end, `@path` a file's bytes, anything else is UTF-8 text. */
export async function readPayload(argument: string, sources: PayloadSources = local): Promise<Uint8Array> {
  if (argument === '-') return sources.stdin();
  if (argument.length > 1 && argument.startsWith('@')) {
    const path = argument.slice(1);
    try {
      return await sources.file(path);
    } catch (error) {
      throw new Error(`cannot read the payload from ${path}: ${reason(error)}`, { cause: error });
    }
  }
  return new TextEncoder().encode(argument);
}

const REASONS: Record<string, string> = {
  ENOENT: 'no such file',
  EISDIR: 'it is a folder',
  EACCES: 'permission denied',
};

function reason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  return (code && REASONS[code]) ?? (error as Error).message;
}
