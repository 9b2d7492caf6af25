const ESC = '\u001b[';

/**
 * The text that replaces the last `previousLines` lines written on a terminal with `lines`: move the cursor up
 * to where they began, clear to the end of the screen, write the new ones. Each line is cut to the terminal's
 * width, since a line that wraps would take two rows and the next redraw would climb one row too few.
 */
export function redrawRegion(previousLines: number, lines: readonly string[], columns?: number): string {
  const up = previousLines > 0 ? `${ESC}${previousLines}A\r${ESC}J` : '';
  const fit = (line: string) => (columns && line.length >= columns ? `${line.slice(0, Math.max(0, columns - 2))}…` : line);
  return `${up}${lines.map((line) => `${fit(line)}\n`).join('')}`;
}
