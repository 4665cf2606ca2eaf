import type { InputOf, OperationName, OutputOf } from '../../../shared/contract/index.js';
import type { ApiError, ErrorCode, Result } from '../../../shared/errors.js';
import type { ServerEvent } from '../../../shared/events.js';

/** An operation refused or failed; `code` is one of the contract's stable codes. */
export class ApiCallError extends Error {
  readonly code: ErrorCode;
  readonly details?: unknown;
  constructor(error: ApiError) {
    super(error.message);
    this.name = 'ApiCallError';
    this.code = error.code;
    this.details = error.details;
  }
}

/**
 * How the screens reach the core. One interface, two transports: the desktop's IPC
 * bridge and the headless face's HTTP. Screens never know which one they use.
 */
export interface Api {
  readonly transport: 'ipc' | 'http';
  call<N extends OperationName>(name: N, input: InputOf<N>): Promise<OutputOf<N>>;
  subscribe(listener: (event: ServerEvent) => void): () => void;
}

export function unwrap<T>(result: Result<T>): T {
  if (result.ok) return result.value;
  throw new ApiCallError(result.error);
}
