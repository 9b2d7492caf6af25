// Command-line options of a benchmark: integer options, on/off switches, repeatable lists and -h/--help.

/**
 * Parses `argv` (without node and the script) into an options object.
 * `defaults` gives every option's key and default; `integers` maps a flag to `[key, min]` (value as the next
 * argument or `--flag=value`); `switches` maps a flag to the key it turns on; `lists` maps a repeatable flag to
 * the key of an array, each use adding one comma-separated list (`--with a,b --with c` gives [['a','b'],['c']]).
 * `-h`/`--help` prints `usage` to stdout and exits 0; a bad value or an unknown option prints a message prefixed
 * with `name` and exits 2.
 */
export function parseArgs(argv, { name, usage, defaults, integers = {}, switches = {}, lists = {} }) {
  const opts = { ...defaults };
  for (const key of Object.values(lists)) opts[key] = [...(opts[key] ?? [])];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    if (flag === '-h' || flag === '--help') {
      process.stdout.write(usage);
      process.exit(0);
    } else if (Object.hasOwn(switches, flag)) opts[switches[flag]] = true;
    else if (Object.hasOwn(lists, flag)) {
      const raw = inline ?? argv[++i];
      const items = (raw ?? '').split(',').filter(Boolean);
      if (raw === undefined || raw.startsWith('--') || items.length === 0)
        usageError(name, `${flag} expects a comma-separated list`);
      opts[lists[flag]].push(items);
    } else if (Object.hasOwn(integers, flag)) {
      const [key, min] = integers[flag];
      const raw = inline ?? argv[++i];
      const value = Number(raw);
      if (!Number.isInteger(value) || value < min)
        usageError(name, `${flag} expects an integer >= ${min}, got ${raw ?? 'nothing'}`);
      opts[key] = value;
    } else usageError(name, `unknown option ${arg}\n\n${usage}`);
  }
  return opts;
}

/** Prints `<name> bench: <message>` to stderr and exits 2 (bad usage). */
export function usageError(name, message) {
  process.stderr.write(`${name} bench: ${message}\n`);
  process.exit(2);
}
