import { statSync } from 'node:fs';

/** A file's size in bytes; 0 when it is not there (yet). */
export function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}
