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
  /** The documents' bytes, which do not travel as JSON: opened or downloaded through `documents.open`, uploaded streamed. */
  readonly files: DocumentFiles;
}

export type UploadTarget = { conversationId: number } | { matterId: number };

export interface DocumentFiles {
  /** A document's bytes as a Blob typed for the screen (an <img>, pdf.js, <audio>), checked and recorded by the door. */
  fetch(documentId: number, disposition: 'inline' | 'attachment'): Promise<{ blob: Blob; fileName: string }>;
  /**
   * Keeps a file staff chose: headless, the browser's File streamed to the upload
   * route; desktop, the main process opens its file dialog (the screen never reads
   * the file). Resolves to null when the dialog was cancelled.
   */
  upload(target: UploadTarget, file?: File): Promise<OutputOf<'documents.upload'> | null>;
  /** A list of parties for the Import screen, sent the same way (kept in the data folder until it is imported). */
  uploadImport(file?: File): Promise<OutputOf<'imports.upload'> | null>;
  /** A chat a phone exported (.txt, or .zip with its media) for a client's conversation, sent the same way. */
  uploadChat(target: { clientId: number; language?: 'en' | 'pt-BR' | 'es' }, file?: File): Promise<OutputOf<'imports.chatUpload'> | null>;
}

export function unwrap<T>(result: Result<T>): T {
  if (result.ok) return result.value;
  throw new ApiCallError(result.error);
}
