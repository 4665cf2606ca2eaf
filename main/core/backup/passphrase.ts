import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as en from '@zxcvbn-ts/language-en';

export const PASSPHRASE_MIN_LENGTH = 12;
export const PASSPHRASE_MAX_LENGTH = 1024;

let factory: ZxcvbnFactory | null = null;

/**
 * Why a backup passphrase is not good enough, or null when it is: at least 12
 * characters and "safely unguessable" for zxcvbn (score 3 of 4). The passphrase
 * guards every backup the office makes, wherever the files end up.
 */
export function passphraseProblem(passphrase: string, context: string[] = []): string | null {
  const length = [...passphrase].length;
  if (length < PASSPHRASE_MIN_LENGTH) {
    return `Use at least ${PASSPHRASE_MIN_LENGTH} characters (this one has ${length}). A few unrelated words make a good passphrase.`;
  }
  if (length > PASSPHRASE_MAX_LENGTH) return `Use at most ${PASSPHRASE_MAX_LENGTH} characters.`;
  factory ??= new ZxcvbnFactory({
    dictionary: { ...common.dictionary, ...en.dictionary },
    graphs: common.adjacencyGraphs,
    translations: en.translations,
  });
  // zxcvbn looks at the first 100 characters; a longer passphrase is judged by them
  const result = factory.check(passphrase.slice(0, 100), ['lexdesk', 'backup', ...context]);
  if (result.score < 3) {
    const warning = result.feedback.warning ?? 'This passphrase is too easy to guess.';
    const hint = result.feedback.suggestions[0] ?? 'Add more words that are less common.';
    return `${warning.replace(/\.?$/, '.')} ${hint}`;
  }
  return null;
}
