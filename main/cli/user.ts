import type { Core } from '../core/app.js';
import { AppError } from '../core/errors.js';
import { cliAudit } from './operator.js';

/**
 * `lexdesk user create-admin --username U`: the first administrator from the
 * command line, with the same rules as the set-up screen (refused once any
 * account exists). The password comes from stdin, never from the arguments,
 * where `ps` and shell history would see it.
 */
export async function createAdminFromCli(
  core: Core,
  input: { username: string; displayName?: string; password: string },
): Promise<{ ok: true; username: string } | { ok: false; message: string; code: string }> {
  try {
    const user = await cliAudit(core, 'users.createAdmin', async (note) => {
      note.details = { username: input.username };
      const user = await core.services.auth.createFirstAdmin(
        { username: input.username, displayName: input.displayName ?? input.username, password: input.password },
        { face: 'cli' },
      );
      note.target = { type: 'user', id: user.id };
      note.details = { username: user.username };
      return user;
    });
    return { ok: true, username: user.username };
  } catch (err) {
    if (err instanceof AppError) return { ok: false, message: err.message, code: err.code };
    throw err;
  }
}

/** Reads a password from stdin: hidden typing on a terminal (asked twice), else the first line of the pipe. */
export async function readPassword(stdin: NodeJS.ReadStream, stderr: NodeJS.WritableStream): Promise<string> {
  if (!stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const chunk of stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
  }
  const ask = (prompt: string) =>
    new Promise<string>((resolve, reject) => {
      stderr.write(prompt);
      let value = '';
      stdin.setRawMode(true);
      stdin.resume();
      stdin.setEncoding('utf8');
      const onData = (key: string) => {
        for (const ch of key) {
          if (ch === '\r' || ch === '\n') {
            done();
            stderr.write('\n');
            return resolve(value);
          }
          if (ch === '\u0003') {
            done();
            return reject(new Error('cancelled'));
          }
          if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
          else value += ch;
        }
      };
      const done = () => {
        stdin.setRawMode(false);
        stdin.pause();
        stdin.off('data', onData);
      };
      stdin.on('data', onData);
    });
  const first = await ask('Password for the administrator: ');
  const second = await ask('Type it again: ');
  if (first !== second) throw new AppError('invalid_input', 'The two passwords are not the same.');
  return first;
}
