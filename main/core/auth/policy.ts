import { AppError } from '../errors.js';
import type { PasswordWorkers } from './passwords.js';

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 128;
/** zxcvbn's scale is 0–4; 3 is "safely unguessable: moderate protection from offline slow-hash attacks". */
export const PASSWORD_MIN_SCORE = 3;

/**
 * The rule for a new password (OWASP ASVS 5.0 V6.2): 12 to 128 characters of any
 * kind, not on the common and breached passwords list, not too guessable as
 * estimated by zxcvbn-ts (dictionaries, keyboard patterns, dates, repeats), not
 * containing the username. No composition rules, no periodic change. Refuses with
 * `invalid_input` and a sentence saying why, on the field `field`.
 */
export async function assertAcceptablePassword(
  workers: PasswordWorkers,
  password: string,
  context: { username: string; displayName?: string; field: string },
): Promise<void> {
  const refuse = (message: string, extra: Record<string, unknown> = {}) =>
    new AppError('invalid_input', message, { issues: [{ path: context.field, message }], ...extra });
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) {
    throw refuse(`Use at least ${PASSWORD_MIN_LENGTH} characters (this one has ${length}). A few unrelated words make a good password.`);
  }
  if (length > PASSWORD_MAX_LENGTH) throw refuse(`Use at most ${PASSWORD_MAX_LENGTH} characters.`);
  const folded = password.normalize('NFKC').toLowerCase();
  const username = context.username.normalize('NFKC').toLowerCase();
  if (username.length >= 3 && folded.includes(username)) {
    throw refuse('The password must not contain the username.');
  }
  const inputs = [context.username, ...(context.displayName ? context.displayName.split(/\s+/) : []), 'lexdesk'].filter(
    (s) => s.length >= 3,
  );
  const strength = await workers.strength(password, inputs);
  if (strength.score < PASSWORD_MIN_SCORE) {
    const why = strength.warning ?? 'This password is too easy to guess.';
    const hint = strength.suggestions[0] ?? 'Add more words that are less common.';
    throw refuse(`${why.replace(/\.?$/, '.')} ${hint}`, { score: strength.score });
  }
}
