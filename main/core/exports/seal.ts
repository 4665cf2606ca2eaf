import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { canonicalJson } from '../audit/canonical.js';
import { EVIDENCE_FORMAT, type AuditHeadRef } from '../../../shared/contract/exports.js';

/**
 * How an evidence export vouches for itself. The JSON file is canonical JSON
 * (keys sorted, no spaces: main/core/audit/canonical.ts), so its bytes follow from
 * its content. `contentSha256` covers what was exported (with the audit head at
 * that moment); the PDF prints it and carries it in its document information;
 * `pdf.sha256` names the PDF's own bytes; `seal.sha256` covers the whole file but
 * the seal, and `seal.hmac` the same under the office's evidence key (kept in the
 * secret store, never in the file), so a file rewritten with new hashes is still
 * told apart from one LexDesk made.
 */
export const EVIDENCE_KEY_SECRET = 'evidence-seal-key';

export interface EvidenceBody {
  format: typeof EVIDENCE_FORMAT;
  exportedAt: string;
  exportedBy: { id: string | null; name: string };
  scope: { conversationId: number } | { matterId: number };
  auditHead: AuditHeadRef | null;
  content: Record<string, unknown>;
}

export interface EvidenceFile extends EvidenceBody {
  contentSha256: string;
  pdf: { fileName: string; sha256: string };
  seal: { sha256: string; hmac: string };
}

export const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

export function contentHashOf(body: EvidenceBody): string {
  const { format, exportedAt, exportedBy, scope, auditHead, content } = body;
  return sha256(canonicalJson({ format, exportedAt, exportedBy, scope, auditHead, content }));
}

/** The file's text: canonical JSON and a final newline. */
export function sealEvidence(body: EvidenceBody, contentSha256: string, pdf: { fileName: string; sha256: string }, key: Buffer): string {
  const unsealed = { ...body, contentSha256, pdf };
  const text = canonicalJson(unsealed);
  const seal = { sha256: sha256(text), hmac: createHmac('sha256', key).update(text).digest('hex') };
  return `${canonicalJson({ ...unsealed, seal })}\n`;
}

export interface EvidenceCheck {
  intact: boolean;
  /** one sentence per thing that differs */
  problems: string[];
  file: EvidenceFile | null;
}

/** Checks an evidence file's bytes (and its PDF's, when given) without the installation. */
export function checkEvidence(jsonBytes: Buffer, pdfBytes?: Buffer): EvidenceCheck {
  const problems: string[] = [];
  let file: EvidenceFile;
  try {
    file = JSON.parse(jsonBytes.toString('utf8')) as EvidenceFile;
  } catch {
    return { intact: false, problems: ['The file is not JSON: it is not an evidence export, or it was damaged.'], file: null };
  }
  if (!file || typeof file !== 'object' || file.format !== EVIDENCE_FORMAT || !file.seal || !file.pdf || typeof file.contentSha256 !== 'string') {
    return { intact: false, problems: [`The file is not a LexDesk evidence export (${EVIDENCE_FORMAT}).`], file: null };
  }
  if (`${canonicalJson(file)}\n` !== jsonBytes.toString('utf8')) {
    problems.push('The file is not byte for byte as LexDesk wrote it (its text was edited, re-saved or re-formatted).');
  }
  if (contentHashOf(file) !== file.contentSha256) {
    problems.push('The exported content (messages, documents, times or the audit head) differs from its recorded SHA-256.');
  }
  const { seal, ...unsealed } = file;
  if (sha256(canonicalJson(unsealed)) !== seal.sha256) problems.push("The file's seal does not match its content.");
  if (pdfBytes) {
    if (sha256(pdfBytes) !== file.pdf.sha256) problems.push(`The PDF differs from the one exported with this file (${file.pdf.fileName}).`);
    else if (!pdfBytes.includes(Buffer.from(file.contentSha256, 'latin1'))) problems.push('The PDF does not carry this file\'s content hash.');
  }
  return { intact: problems.length === 0, problems, file };
}

/** The HMAC check, with the office's evidence key. */
export function hmacMatches(file: EvidenceFile, key: Buffer): boolean {
  const { seal, ...unsealed } = file;
  const expected = createHmac('sha256', key).update(canonicalJson(unsealed)).digest();
  const given = Buffer.from(String(seal.hmac), 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
