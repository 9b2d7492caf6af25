/** Where a command writes: its results to `out`, problems and stderr log lines to `err`. */
export interface CliOutput {
  out(text: string): void;
  err(text: string): void;
  /** True when `out` is a terminal, where a live view can redraw itself in place. */
  readonly tty: boolean;
  /** The terminal's width, when `out` is one. */
  readonly columns?: number;
}

/** The process's stdout and stderr. */
export function processOutput(): CliOutput {
  return {
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
    tty: process.stdout.isTTY === true,
    get columns() {
      return process.stdout.columns;
    },
  };
}

/** An output that keeps what is written, for tests that call a command's core. */
export function capturedOutput(
  options: { tty?: boolean; columns?: number } = {},
): CliOutput & { stdout: string; stderr: string } {
  const captured = {
    stdout: '',
    stderr: '',
    tty: options.tty ?? false,
    columns: options.columns,
    out: (text: string) => void (captured.stdout += text),
    err: (text: string) => void (captured.stderr += text),
  };
  return captured;
}

/** Lines as text, each ended by a newline; nothing for none. */
export function asText(lines: readonly string[]): string {
  return lines.map((line) => `${line}\n`).join('');
}
