import type { ErrorCode, InputIssue } from '../../shared/errors.js';
import type { z } from 'zod';

/** An error meant for the caller: a stable code and a sentence a receptionist understands. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const invalidInput = (message: string, details?: unknown) => new AppError('invalid_input', message, details);
export const notFound = (message: string, details?: unknown) => new AppError('not_found', message, details);
export const conflict = (message: string, details?: unknown) => new AppError('conflict', message, details);
export const forbidden = (message = 'Your role does not allow this.') => new AppError('forbidden', message);
export const unauthenticated = (message = 'Please sign in.') => new AppError('unauthenticated', message);

/** zod issues as `{ path, message }`, the shape screens show next to fields. */
export function issuesOf(error: z.ZodError): InputIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }));
}
