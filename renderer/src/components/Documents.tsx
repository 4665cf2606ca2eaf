import { useEffect, useRef, useState } from 'react';
import type { DocumentItem } from '../../../shared/contract/documents.js';
import { formatBytes } from '../../../shared/format.js';
import type { Api } from '../api/index.js';
import { useApi } from '../context.js';
import { messageOf } from '../errors.js';
import './documents.css';

/*
 * What the screens show of a document. Nothing is ever shown from a document's own
 * address: its bytes are fetched through the door (`documents.open`, audited) into
 * a Blob; images go into an <img> from a blob: URL, PDFs are drawn by pdf.js onto
 * canvases (no scripts, no forms, no links followed), audio plays from its blob;
 * everything else is saved as a file.
 */

export const fileSize = formatBytes;

const SOURCE_LABEL: Record<DocumentItem['source'], string> = { client: 'from the client', staff: 'from staff', intake: 'intake PDF' };
export const sourceLabel = (source: DocumentItem['source']) => SOURCE_LABEL[source];

/** A short name for a type: "PDF", "JPEG image", "Voice note"… */
export function typeLabel(doc: Pick<DocumentItem, 'detectedType' | 'mimetype'>): string {
  const t = doc.detectedType ?? doc.mimetype;
  if (t === 'application/pdf') return 'PDF';
  if (t.startsWith('image/')) return `${t.slice(6).toUpperCase()} image`;
  if (t === 'audio/ogg' || t === 'audio/opus') return 'Voice note';
  if (t.startsWith('audio/')) return 'Audio';
  if (t.startsWith('video/')) return 'Video';
  if (/wordprocessingml|msword|opendocument\.text/.test(t)) return 'Word document';
  if (/spreadsheetml|ms-excel/.test(t)) return 'Spreadsheet';
  if (t.includes('vcard')) return 'Contact card';
  if (t.startsWith('text/')) return 'Text';
  return t;
}

/** Saves a document as a file (Content-Disposition: attachment; recorded as a download). */
export async function downloadDocument(api: Api, documentId: number): Promise<void> {
  const { blob, fileName } = await api.files.fetch(documentId, 'attachment');
  saveBlob(blob, fileName);
}

export function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A blob: URL for a fetched document, revoked when the component goes. */
function useBlobUrl(load: (() => Promise<Blob>) | null): { url: string | null; error: string | null } {
  const [state, setState] = useState<{ url: string | null; error: string | null }>({ url: null, error: null });
  useEffect(() => {
    if (!load) return;
    let url: string | null = null;
    let live = true;
    load()
      .then((blob) => {
        url = URL.createObjectURL(blob);
        if (live) setState({ url, error: null });
      })
      .catch((err: unknown) => live && setState({ url: null, error: messageOf(err) }));
    return () => {
      live = false;
      if (url) URL.revokeObjectURL(url);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  return state;
}

/** Draws a PDF's pages (or only the first) onto canvases with pdf.js: no scripts, no forms, nothing loaded from outside. */
export function PdfPages({ data, firstPageOnly = false, width = 640 }: { data: Blob; firstPageOnly?: boolean; width?: number }) {
  const holder = useRef<HTMLDivElement>(null);
  const [error, setError] = useState<string | null>(null);
  const [pages, setPages] = useState<number | null>(null);
  useEffect(() => {
    let cancelled = false;
    let destroy: (() => void) | null = null;
    const target = holder.current;
    void (async () => {
      try {
        const pdfjs = await import('pdfjs-dist');
        const worker = await import('pdfjs-dist/build/pdf.worker.min.mjs?url');
        pdfjs.GlobalWorkerOptions.workerSrc = worker.default;
        const task = pdfjs.getDocument({
          data: new Uint8Array(await data.arrayBuffer()),
          isEvalSupported: false,
          enableXfa: false,
          disableAutoFetch: true,
          disableFontFace: false,
          stopAtErrors: false,
        });
        destroy = () => void task.destroy();
        const pdf = await task.promise;
        if (cancelled) return;
        setPages(pdf.numPages);
        const count = firstPageOnly ? 1 : Math.min(pdf.numPages, 50);
        for (let n = 1; n <= count && !cancelled; n++) {
          const page = await pdf.getPage(n);
          const base = page.getViewport({ scale: 1 });
          const viewport = page.getViewport({ scale: width / base.width });
          const canvas = document.createElement('canvas');
          canvas.width = Math.floor(viewport.width);
          canvas.height = Math.floor(viewport.height);
          canvas.setAttribute('aria-label', `Page ${n}`);
          canvas.className = 'pdf-page';
          target?.append(canvas);
          await page.render({ canvas, viewport }).promise;
        }
      } catch (err) {
        if (!cancelled) setError(`This PDF cannot be shown: ${messageOf(err)}`);
      }
    })();
    return () => {
      cancelled = true;
      destroy?.();
      if (target) target.textContent = '';
    };
  }, [data, firstPageOnly, width]);
  return (
    <div className="pdf-view" data-testid="pdf-view" data-pages={pages ?? undefined}>
      {error && <p className="error">{error}</p>}
      <div ref={holder} />
    </div>
  );
}

/** A document inside a message or a list: a thumbnail for images, a player for audio, buttons to open or download. */
export function DocumentChip({ doc, onOpen }: { doc: DocumentItem; onOpen: (doc: DocumentItem) => void }) {
  const api = useApi();
  const [error, setError] = useState<string | null>(null);
  const thumb = useBlobUrl(doc.preview === 'image' ? async () => (await api.files.fetch(doc.id, 'inline')).blob : null);
  const [audio, setAudio] = useState<string | null>(null);
  useEffect(() => () => void (audio && URL.revokeObjectURL(audio)), [audio]);
  const play = async () => {
    try {
      const { blob } = await api.files.fetch(doc.id, 'attachment');
      setAudio(URL.createObjectURL(new Blob([blob], { type: doc.detectedType ?? 'audio/ogg' })));
    } catch (err) {
      setError(messageOf(err));
    }
  };
  const download = () => downloadDocument(api, doc.id).catch((err: unknown) => setError(messageOf(err)));
  return (
    <span className="doc-chip" data-testid="document" data-document-id={doc.id} data-preview={doc.preview ?? 'none'}>
      {doc.preview === 'image' && (
        <button type="button" className="thumb" onClick={() => onOpen(doc)} aria-label={`Open ${doc.fileName}`}>
          {thumb.url ? <img src={thumb.url} alt={doc.fileName} data-testid="thumbnail" /> : <span className="muted">{thumb.error ?? 'Loading…'}</span>}
        </button>
      )}
      <span className="doc-line">
        <span className="doc-name" title={doc.fileName}>
          {doc.fileName}
        </span>
        <span className="muted">
          {' '}
          · {typeLabel(doc)} · {fileSize(doc.size)}
        </span>
      </span>
      {doc.mismatch && <span className="doc-warning">This file is not what its name says; it only downloads. Open it with care.</span>}
      <span className="actions">
        {doc.preview === 'pdf' && (
          <button type="button" className="secondary" onClick={() => onOpen(doc)}>
            Open PDF
          </button>
        )}
        {doc.preview === 'audio' && !audio && (
          <button type="button" className="secondary" onClick={() => void play()}>
            Play
          </button>
        )}
        <button type="button" className="secondary" onClick={() => void download()}>
          Download
        </button>
      </span>
      {audio && <audio controls autoPlay src={audio} data-testid="audio" />}
      {error && <span className="error">{error}</span>}
    </span>
  );
}

/** The full-size view of an image or a PDF, over the screen; Escape or Close ends it. */
export function DocumentViewer({ doc, onClose, load }: { doc: Pick<DocumentItem, 'fileName' | 'preview'> & { id?: number }; onClose: () => void; load?: () => Promise<Blob> }) {
  const api = useApi();
  const [blob, setBlob] = useState<Blob | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    let made: string | null = null;
    (load ?? (async () => (await api.files.fetch(doc.id!, 'inline')).blob))()
      .then((b) => {
        if (!live) return;
        setBlob(b);
        if (doc.preview === 'image') {
          made = URL.createObjectURL(b);
          setUrl(made);
        }
      })
      .catch((err: unknown) => live && setError(messageOf(err)));
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    window.addEventListener('keydown', onKey);
    return () => {
      live = false;
      window.removeEventListener('keydown', onKey);
      if (made) URL.revokeObjectURL(made);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  return (
    <div className="viewer" role="dialog" aria-modal="true" aria-label={doc.fileName} data-testid="viewer">
      <div className="viewer-bar">
        <strong>{doc.fileName}</strong>
        <span className="actions">
          {blob && (
            <button type="button" className="secondary" onClick={() => saveBlob(blob, doc.fileName)}>
              Download
            </button>
          )}
          <button type="button" onClick={onClose}>
            Close
          </button>
        </span>
      </div>
      <div className="viewer-body">
        {error && <p className="error">{error}</p>}
        {!error && !blob && <p className="muted">Opening…</p>}
        {url && <img src={url} alt={doc.fileName} data-testid="full-image" />}
        {blob && doc.preview === 'pdf' && <PdfPages data={blob} />}
      </div>
    </div>
  );
}
