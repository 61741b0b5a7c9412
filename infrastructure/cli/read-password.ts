/** The environment variable `mdm user` reads a password from (never from the command line, which other users can see). */
export const USER_PASSWORD_ENV = 'MDM_USER_PASSWORD';

const MAX_BYTES = 4096;

/**
 * A password from MDM_USER_PASSWORD, else from stdin: typed twice without echo on a terminal, or
 * the first line of piped input. Undefined when none was given.
 */
export async function readPassword(): Promise<string | undefined> {
  const fromEnv = process.env[USER_PASSWORD_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  if (process.stdin.isTTY) {
    const first = await promptHidden('Password: ');
    const second = await promptHidden('Password again: ');
    if (first !== second) throw new PasswordInputError('the passwords do not match');
    return first === '' ? undefined : first;
  }
  const piped = await readStdin();
  const line = piped.split(/\r?\n/)[0] ?? '';
  return line === '' ? undefined : line;
}

export class PasswordInputError extends Error {
  override readonly name = 'PasswordInputError';
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_BYTES) throw new PasswordInputError(`stdin holds more than ${MAX_BYTES} bytes`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function promptHidden(prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    process.stderr.write(prompt);
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding('utf8');
    let typed = '';
    const finish = (error?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.removeListener('data', onData);
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (data: string) => {
      for (const c of data) {
        if (c === '\r' || c === '\n') return finish();
        if (c === '\u0003' || c === '\u0004') return finish(new PasswordInputError('cancelled'));
        if (c === '\u007f' || c === '\b') typed = typed.slice(0, -1);
        else if (typed.length < MAX_BYTES) typed += c;
      }
    };
    stdin.on('data', onData);
  });
}
