import { extname } from 'node:path';
import { fileTypeFromBuffer } from 'file-type';

/**
 * What a file really is, from its bytes (file-type reads the magic numbers), and
 * what LexDesk does with it: keep it, show it inline (only images and PDFs whose
 * bytes say so), or refuse it (programs and scripts).
 */

/** Types whose bytes have no magic number; trusted from the declaration only when the bytes look like text. */
const TEXT_TYPES = new Set(['text/plain', 'text/csv', 'text/vcard', 'text/x-vcard', 'text/directory']);

/** Images the screens show in an <img> from a blob URL. No SVG: it can carry scripts. */
export const INLINE_IMAGES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

const PROGRAM_TYPES = new Set([
  'application/x-msdownload',
  'application/x-dosexec',
  'application/vnd.microsoft.portable-executable',
  'application/x-elf',
  'application/x-executable',
  'application/x-mach-binary',
  'application/x-msi',
  'application/java-archive',
  'application/vnd.android.package-archive',
  'application/x-sh',
  'application/x-shellscript',
  'application/javascript',
  'text/javascript',
  'application/x-bat',
  'application/x-msdos-program',
  'application/hta',
  'application/x-ms-shortcut',
]);

const PROGRAM_EXTENSIONS = new Set([
  'exe', 'com', 'bat', 'cmd', 'scr', 'pif', 'msi', 'msp', 'dll', 'cpl', 'sys', 'ps1', 'psm1', 'vbs', 'vbe', 'js', 'jse', 'mjs', 'wsf',
  'wsh', 'hta', 'jar', 'apk', 'app', 'sh', 'bash', 'zsh', 'py', 'pyw', 'pl', 'rb', 'php', 'lnk', 'reg', 'scf', 'inf', 'gadget', 'appx',
  'msix', 'dmg', 'pkg', 'deb', 'rpm', 'run', 'elf', 'command', 'html', 'htm', 'xhtml', 'svg', 'mht', 'mhtml', 'xll',
]);

/** The kinds of files a law office receives and sends, by family; anything else is kept but only downloads. */
export type DocumentFamily = 'image' | 'pdf' | 'audio' | 'video' | 'office' | 'vcard' | 'text' | 'archive' | 'other';

export interface Detection {
  /** what the bytes are, or null when they match no known type */
  detected: string | null;
  family: DocumentFamily;
  /** 'image' and 'pdf' open inside LexDesk; everything else downloads */
  inline: 'image' | 'pdf' | null;
  /** the declaration and the bytes disagree (a ".pdf" that is a picture, a "photo" that is a program…) */
  mismatch: boolean;
  /** why the file is refused, as a sentence for a person; null when it may be kept */
  refused: string | null;
}

function familyOf(type: string | null): DocumentFamily {
  if (!type) return 'other';
  if (type.startsWith('image/')) return 'image';
  if (type === 'application/pdf') return 'pdf';
  if (type.startsWith('audio/')) return 'audio';
  if (type.startsWith('video/')) return 'video';
  if (type === 'text/vcard' || type === 'text/x-vcard' || type === 'text/directory') return 'vcard';
  if (type.startsWith('text/')) return 'text';
  if (/^application\/(zip|x-7z|x-rar|gzip|x-tar)/.test(type)) return 'archive';
  if (
    /officedocument|msword|ms-excel|ms-powerpoint|opendocument|rtf/.test(type) ||
    type === 'application/x-cfb'
  ) {
    return 'office';
  }
  return 'other';
}

/** The declared type without parameters ("audio/ogg; codecs=opus" → "audio/ogg"), lower case. */
export function baseType(type: string | null | undefined): string {
  return (type ?? '').split(';')[0]!.trim().toLowerCase() || 'application/octet-stream';
}

function looksLikeText(head: Buffer): boolean {
  if (head.length === 0) return false;
  let text = 0;
  for (const byte of head) {
    if (byte === 0) return false;
    if (byte === 9 || byte === 10 || byte === 13 || byte >= 32) text++;
  }
  return text / head.length > 0.97;
}

/** Office formats are zip or OLE containers: file-type names the container when it cannot see inside. */
const CONTAINERS: Record<string, readonly string[]> = {
  'application/zip': ['officedocument', 'opendocument', 'application/zip', 'application/x-zip', 'epub'],
  'application/x-cfb': ['msword', 'ms-excel', 'ms-powerpoint', 'ms-outlook', 'x-cfb'],
};

function agrees(declared: string, detected: string): boolean {
  if (declared === detected || declared === 'application/octet-stream' || declared === 'binary/octet-stream') return true;
  const container = CONTAINERS[detected];
  if (container) return container.some((part) => declared.includes(part));
  const [dMajor] = declared.split('/');
  const [tMajor] = detected.split('/');
  // WhatsApp and browsers disagree on names within a family (audio/ogg vs audio/opus, image/jpg vs image/jpeg…)
  if (dMajor === tMajor && (dMajor === 'audio' || dMajor === 'video' || dMajor === 'image')) {
    return !(dMajor === 'image' && (declared === 'image/svg+xml' || detected === 'image/svg+xml'));
  }
  // an ogg container holds voice notes (audio/ogg) as well as video
  if ((detected === 'audio/ogg' || detected === 'application/ogg') && (declared.startsWith('video/') || declared.startsWith('audio/'))) return true;
  if (detected === 'video/mp4' && declared.startsWith('audio/')) return true;
  return false;
}

/**
 * Detects what `head` (the first 4 KB or so of a file) is and decides what may be
 * done with it. `declared` is the type the sender gave; `fileName` its name.
 */
export async function detect(head: Buffer, declared: string, fileName: string): Promise<Detection> {
  const declaredBase = baseType(declared);
  const extension = extname(fileName).slice(1).toLowerCase();
  const found = head.length > 0 ? await fileTypeFromBuffer(head) : undefined;
  let detected: string | null = found?.mime ? baseType(found.mime) : null;
  if (!detected && head.subarray(0, 2).toString('latin1') === '#!') detected = 'application/x-shellscript';
  if (!detected && looksLikeText(head)) {
    const start = head.subarray(0, 200).toString('utf8').replace(/^\uFEFF/, '').trimStart().toUpperCase();
    detected = start.startsWith('BEGIN:VCARD') ? 'text/vcard' : TEXT_TYPES.has(declaredBase) ? declaredBase : 'text/plain';
  }
  const program =
    (detected !== null && PROGRAM_TYPES.has(detected)) || PROGRAM_TYPES.has(declaredBase) || PROGRAM_EXTENSIONS.has(extension);
  if (program) {
    return {
      detected,
      family: 'other',
      inline: null,
      mismatch: false,
      refused: `LexDesk does not keep or send programs and scripts ("${fileName}"): opened on a computer, such a file can run and do harm. Send a PDF, a picture or an office document instead.`,
    };
  }
  const judged = judge(detected, declaredBase);
  const family = familyOf(detected ?? (judged.mismatch ? null : declaredBase));
  const inline = judged.preview === 'image' || judged.preview === 'pdf' ? judged.preview : null;
  return { detected, family, inline, mismatch: judged.mismatch, refused: null };
}

/**
 * From the stored types alone: do the bytes (`detected`) agree with the
 * declaration, and how may the screens show the file? Images and PDFs open inline
 * only when their bytes say so; audio and video play from a downloaded blob.
 */
export function judge(detected: string | null, declared: string): { preview: 'image' | 'pdf' | 'audio' | 'video' | null; mismatch: boolean } {
  const declaredBase = baseType(declared);
  let mismatch = detected !== null ? !agrees(declaredBase, detected) : !['application/octet-stream', ...TEXT_TYPES].includes(declaredBase);
  // text/plain vs text/csv and the like
  if (detected !== null && detected.startsWith('text/') && declaredBase.startsWith('text/')) mismatch = false;
  if (mismatch || detected === null) return { preview: null, mismatch };
  if (INLINE_IMAGES.has(detected)) return { preview: 'image', mismatch };
  if (detected === 'application/pdf') return { preview: 'pdf', mismatch };
  if (detected.startsWith('audio/')) return { preview: 'audio', mismatch };
  if (detected.startsWith('video/')) return { preview: 'video', mismatch };
  return { preview: null, mismatch };
}

/** Unicode bidi controls: they make "invoice‮fdp.exe" read as "invoiceexe.pdf". */
const BIDI = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/g;
const CONTROL = /[\u0000-\u001F\u007F-\u009F]/g;
/** Zero-width characters and the byte-order mark: they hide inside a name ("in\u200Bvoice"). */
const INVISIBLE = /[\u200B-\u200D\u2060\uFEFF]/g;

/**
 * A file name safe to store, show and offer as a download name: path separators
 * and characters Windows forbids become "_", control characters go, Unicode bidi
 * overrides are shown as visible marks ("[U+202E]"), leading dots go (no "..",
 * no hidden files), and it is cut to 150 characters keeping its extension.
 */
export function cleanFileName(name: string | null | undefined, fallback = 'file'): string {
  let clean = (name ?? '')
    .normalize('NFC')
    .replace(BIDI, (c) => `[U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}]`)
    .replace(CONTROL, '')
    .replace(INVISIBLE, '')
    .replace(/[/\\:*?"<>|]/g, '_')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^[.\s_]+(?=.)/, '')
    .replace(/[.\s]+$/, '');
  if (clean === '' || /^[._]+$/.test(clean)) clean = fallback;
  const chars = [...clean];
  if (chars.length > 150) {
    const ext = extname(clean);
    const keep = ext.length > 0 && ext.length <= 10 ? [...ext] : [];
    clean = chars.slice(0, 150 - keep.length).join('').trimEnd() + keep.join('');
  }
  return clean;
}

/** A name for a file that came without one: "document.pdf", "photo.jpg", "voice-note.ogg". */
export function defaultNameFor(type: string | null): string {
  const t = baseType(type);
  const ext = EXTENSIONS[t] ?? t.split('/')[1]?.replace(/[^a-z0-9]/g, '').slice(0, 5) ?? 'bin';
  const family = familyOf(t);
  const stem = family === 'image' ? 'photo' : family === 'audio' ? 'voice-note' : family === 'video' ? 'video' : family === 'vcard' ? 'contact' : 'document';
  return `${stem}.${ext || 'bin'}`;
}

const EXTENSIONS: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'audio/ogg': 'ogg',
  'audio/mpeg': 'mp3',
  'audio/mp4': 'm4a',
  'video/mp4': 'mp4',
  'application/pdf': 'pdf',
  'text/vcard': 'vcf',
  'text/x-vcard': 'vcf',
  'text/plain': 'txt',
  'application/octet-stream': 'bin',
};
