/**
 * The error envelope that crosses every boundary (IPC, HTTP, CLI). Codes are stable:
 * screens, scripts and IT's tooling branch on them; messages are for people.
 */
export const ERROR_CODES = [
  'invalid_input',
  'unauthenticated',
  'forbidden',
  'not_found',
  'conflict',
  'rate_limited',
  'locked',
  'unavailable',
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ApiError {
  code: ErrorCode;
  message: string;
  details?: unknown;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: ApiError };

/** How the HTTP face reports each code. */
export const HTTP_STATUS_BY_CODE: Record<ErrorCode, number> = {
  invalid_input: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  locked: 423,
  rate_limited: 429,
  internal: 500,
  /** the disk is full, or the database failed its check: reads go on, writes wait */
  unavailable: 503,
};

/** One field problem inside `details.issues` of an `invalid_input` error. */
export interface InputIssue {
  path: string;
  message: string;
}
