import { fileTypeFromBuffer } from 'file-type';
import type { ParsedInputOf } from '../../../shared/contract/index.js';
import { AppError } from '../errors.js';

type Upload = NonNullable<ParsedInputOf<'inbox.sendDocument'>['upload']>;

/** What each type staff may send must look like: its file-name extensions and what its bytes are detected as. */
const KINDS: Record<Upload['mimetype'], { label: string; extensions: string[]; detected: (string | undefined)[] }> = {
  'application/pdf': { label: 'a PDF document', extensions: ['pdf'], detected: ['application/pdf'] },
  'image/png': { label: 'a PNG image', extensions: ['png'], detected: ['image/png'] },
  'image/jpeg': { label: 'a JPEG image', extensions: ['jpg', 'jpeg'], detected: ['image/jpeg'] },
  // an old .doc is an OLE compound file
  'application/msword': { label: 'a Word document (.doc)', extensions: ['doc'], detected: ['application/x-cfb'] },
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': {
    label: 'a Word document (.docx)',
    extensions: ['docx'],
    detected: ['application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
  },
  // plain text has no signature: nothing may be detected, and it must read as text
  'text/plain': { label: 'a plain text file', extensions: ['txt'], detected: [undefined] },
};

/** Characters that reorder or hide text (bidi overrides and isolates, zero-width marks) and controls. */
const HIDDEN = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g;

/**
 * A file name as it may be stored and shown: without the characters that make
 * `contract‮fdp.exe` display as `contractexe.pdf`, without controls, in NFC,
 * with its spaces tidied; "document" if nothing is left.
 */
export function cleanFileName(name: string): string {
  const cleaned = name.normalize('NFC').replace(HIDDEN, '').replace(/\s+/g, ' ').replace(/^[\s.]+|[\s.]+$/g, '');
  return cleaned || 'document';
}

/** Markup a browser or a phone would run or render: refused in a "plain text" file. */
const MARKUP = /<\s*(!doctype|html|head|body|script|svg|iframe|object|embed|meta|link|style|form|img|a\s|\?xml)/i;

const refuse = (message: string) => new AppError('invalid_input', message, { issues: [{ path: 'upload', message }] });

/**
 * Checks a file staff want to send against what it claims to be, from its bytes
 * (file-type) rather than as declared: the declared type must be detected, the
 * name's extension must be one of that type's, and a plain text file must be
 * valid UTF-8 text without markup. Returns the upload with a clean file name;
 * throws `invalid_input` saying what does not match.
 */
export async function inspectUpload(upload: Upload): Promise<Upload & { data: Buffer }> {
  const data = Buffer.from(upload.base64, 'base64');
  const kind = KINDS[upload.mimetype];
  const fileName = cleanFileName(upload.fileName);
  const dot = fileName.lastIndexOf('.');
  const extension = dot > 0 ? fileName.slice(dot + 1).toLowerCase() : '';
  if (!kind.extensions.includes(extension)) {
    throw refuse(
      `The file name "${fileName}" does not end in .${kind.extensions[0]}, as ${kind.label} should. Rename the file, or choose its real type.`,
    );
  }
  const detected = (await fileTypeFromBuffer(data))?.mime;
  if (!kind.detected.includes(detected)) {
    throw refuse(`This file is not ${kind.label}: its content says otherwise${detected ? ` (${detected})` : ''}. Send the file as what it is.`);
  }
  if (upload.mimetype === 'text/plain') {
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(data);
    } catch {
      throw refuse('This file is not plain text (it holds bytes that are not text).');
    }
    if (text.includes('\u0000') || MARKUP.test(text)) {
      throw refuse('This "plain text" file holds web page markup (HTML or SVG). Send it as a PDF instead.');
    }
  }
  return { ...upload, fileName, data };
}
