import { createInterface } from 'node:readline';
import { Command } from 'commander';
import { asText, processOutput } from './cli-output.js';

/** bcrypt's cost: about 60 ms a hash here; NATS checks it once per login. */
const COST = 10;

/**
 * `lichen passwd`: the bcrypt hash of a password, for a client device's `passwordHash` in a deployment (the
 * document never holds the password itself). Reads the password from standard input: typed without echo at a
 * terminal, or the first line of a pipe.
 */
export function passwdCommand(): Command {
  return new Command('passwd')
    .description("print the bcrypt hash of a password, for a client device's passwordHash in a deployment")
    .action(async () => {
      const output = processOutput();
      const password = await readPassword();
      if (password.length < 8) {
        output.err(asText(['lichen passwd: a device password needs at least 8 characters']));
        process.exitCode = 1;
        return;
      }
      const { hash } = await import('bcryptjs');
      output.out(asText([await hash(password, COST)]));
    });
}

async function readPassword(): Promise<string> {
  return process.stdin.isTTY ? readHidden() : readFirstLine();
}

async function readFirstLine(): Promise<string> {
  const lines = createInterface({ input: process.stdin, terminal: false });
  for await (const line of lines) {
    lines.close();
    return line;
  }
  return '';
}

/** Reads a line at a terminal without echoing it: raw mode, Enter ends it, Backspace works, Ctrl-C quits. */
function readHidden(): Promise<string> {
  process.stderr.write('password (not shown): ');
  const { stdin } = process;
  stdin.setRawMode(true);
  stdin.resume();
  return new Promise((resolve) => {
    let typed = '';
    const done = (value: string) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      resolve(value);
    };
    const onData = (chunk: Buffer) => {
      for (const char of chunk.toString('utf8')) {
        if (char === '\r' || char === '\n') return done(typed);
        if (char === '\u0003') {
          done('');
          process.exit(130);
        }
        typed = char === '\u007f' ? typed.slice(0, -1) : typed + char;
      }
    };
    stdin.on('data', onData);
  });
}
