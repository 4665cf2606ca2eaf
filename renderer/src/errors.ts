import { ApiCallError } from './api/index.js';

interface Issue {
  path: string;
  message: string;
}

/** The fields the door named when it refused an input (`details.issues` of an `invalid_input`). */
function issuesOf(err: unknown): Issue[] {
  if (!(err instanceof ApiCallError)) return [];
  return (err.details as { issues?: Issue[] } | undefined)?.issues ?? [];
}

/** Any failure as an ApiCallError: one thrown by something else becomes an `internal` one. */
export function asApiError(err: unknown): ApiCallError {
  return err instanceof ApiCallError ? err : new ApiCallError({ code: 'internal', message: err instanceof Error ? err.message : String(err) });
}

function sentenceOf(err: unknown): string {
  return err instanceof Error ? err.message : 'Something went wrong. Try again.';
}

/**
 * A failure as a sentence for the person. When the door refused the input, up
 * to three of the fields it named follow ("The input is not valid. nextStep:
 * too long."), for places with no room beside each field.
 */
export function messageOf(err: unknown): string {
  const issues = issuesOf(err);
  if (!(err instanceof ApiCallError) || err.code !== 'invalid_input' || issues.length === 0) return sentenceOf(err);
  // the door already quoted the schema's own sentence
  if (issues.length === 1 && err.message === issues[0]!.message) return err.message;
  // a section of the bot settings arrives as `value`: its fields read better without the prefix
  const named = issues.slice(0, 3).map((i) => `${i.path.replace(/^value\.?/, '') || 'value'}: ${i.message}`);
  return `${err.message} ${named.join('; ')}.`;
}

/** A failure as a form shows it: a sentence, and each refused field's own message beside that field. */
export interface FormError {
  message: string;
  /** field name → its first message */
  fields: Record<string, string>;
  code?: string;
}

export function formErrorOf(err: unknown): FormError {
  const fields: Record<string, string> = {};
  for (const issue of issuesOf(err)) if (issue.path && !fields[issue.path]) fields[issue.path] = issue.message;
  return { message: sentenceOf(err), fields, ...(err instanceof ApiCallError ? { code: err.code } : {}) };
}
