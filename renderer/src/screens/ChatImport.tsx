import { useEffect, useRef, useState, type ChangeEvent } from 'react';
import type { ChatImportReport, ChatPreview } from '../../../shared/contract/imports.js';
import type { OutputOf } from '../../../shared/contract/index.js';
import { formatBytes } from '../../../shared/format.js';
import { Card } from '../components/Layout.js';
import { Table } from '../components/Table.js';
import { useApi } from '../context.js';
import { messageOf } from '../errors.js';

type Client = OutputOf<'clients.list'>['items'][number];
type Language = 'en' | 'pt-BR' | 'es';

const LANGUAGE_LABEL: Record<Language, string> = { en: 'English', 'pt-BR': 'Português (Brasil)', es: 'Español' };

/** "2024-03-04T09:41:30" (the phone's wall-clock time) as "4 Mar 2024, 09:41". */
function localTime(local: string | null): string {
  if (!local) return '';
  const [date, time] = local.split('T');
  const [y, m, d] = date!.split('-').map(Number);
  const month = new Date(Date.UTC(y!, m! - 1, 1)).toLocaleString('en-GB', { month: 'short', timeZone: 'UTC' });
  return `${d} ${month} ${y}, ${time!.slice(0, 5)}`;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/**
 * A chat a phone exported (WhatsApp's "Export chat") brought into a client's
 * conversation: the client chosen first, then the file; what the import would do
 * (who wrote, which of them is the client, how many messages and files are new)
 * is shown before anything is written.
 */
export function ChatImport({ disabled }: { disabled: boolean }) {
  const api = useApi();
  const input = useRef<HTMLInputElement>(null);
  const [search, setSearch] = useState('');
  const [clients, setClients] = useState<Client[] | null>(null);
  const [client, setClient] = useState<Client | null>(null);
  const [language, setLanguage] = useState<Language | ''>('');
  const [preview, setPreview] = useState<ChatPreview | null>(null);
  const [clientAuthor, setClientAuthor] = useState('');
  const [report, setReport] = useState<(ChatImportReport & { clientName: string }) | null>(null);
  const [busy, setBusy] = useState<'upload' | 'preview' | 'import' | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (client) return;
    let live = true;
    const timer = setTimeout(() => {
      api
        .call('clients.list', { search: search.trim() || undefined, limit: 8, offset: 0 })
        .then((r) => live && setClients(r.items))
        .catch((err: unknown) => live && setError(messageOf(err)));
    }, 200);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [api, search, client]);

  async function work(kind: NonNullable<typeof busy>, fn: () => Promise<void>) {
    setBusy(kind);
    setError(null);
    try {
      await fn();
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(null);
    }
  }

  function show(result: ChatPreview) {
    setPreview(result);
    setClientAuthor(result.clientAuthor ?? '');
  }

  function chooseFile() {
    if (api.transport === 'http') input.current?.click();
    else void upload(undefined);
  }

  async function upload(file: File | undefined) {
    if (!client) return;
    await work('upload', async () => {
      const result = await api.files.uploadChat({ clientId: client.id, ...(language ? { language } : {}) }, file);
      if (!result) return;
      setReport(null);
      show(result);
    });
  }

  async function onFile(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (file) await upload(file);
  }

  async function relanguage(next: Language | '') {
    setLanguage(next);
    if (!preview || !client) return;
    await work('preview', async () => show(await api.call('imports.chatPreview', { uploadId: preview.uploadId, clientId: client.id, ...(next ? { language: next } : {}) })));
  }

  async function runImport() {
    if (!preview || !client || !clientAuthor) return;
    await work('import', async () => {
      const result = await api.call('imports.chatRun', { uploadId: preview.uploadId, clientId: client.id, clientAuthor, ...(language ? { language } : {}) });
      setReport({ ...result, clientName: client.name || `+${client.whatsapp}` });
      setPreview(null);
    });
  }

  function startOver() {
    setPreview(null);
    setReport(null);
    setClient(null);
    setError(null);
  }

  const clientName = client ? client.name || `+${client.whatsapp}` : '';

  return (
    <>
      <input ref={input} type="file" accept=".txt,.zip,text/plain,application/zip" hidden data-testid="chat-file-input" onChange={(e) => void onFile(e)} />
      {report ? (
        <Card title="Chat imported" testId="chat-report" className="report-ok">
          <p data-testid="chat-counts">
            <strong>{report.imported}</strong> {report.imported === 1 ? 'message' : 'messages'} imported into {report.clientName}&apos;s conversation
            {report.documents > 0 && (
              <>
                , <strong>{report.documents}</strong> {report.documents === 1 ? 'file' : 'files'} into the document store
              </>
            )}
            {report.already > 0 && <>, {report.already} imported before</>}. They show in the Inbox marked as imported.
          </p>
          {report.filesRefused.length > 0 && (
            <>
              <p>These files of the chat were not kept; their messages were imported without them:</p>
              <ul className="problems" data-testid="chat-refused">
                {report.filesRefused.map((f) => (
                  <li key={f.fileName}>
                    {f.fileName}: {f.message}
                  </li>
                ))}
              </ul>
            </>
          )}
          <button type="button" className="secondary" onClick={startOver}>
            Import another chat…
          </button>
        </Card>
      ) : preview && client ? (
        <Card title={`${preview.fileName} for ${clientName}`} testId="chat-preview">
          <p className="muted">
            {formatBytes(preview.bytes)}, exported from {preview.layout === 'ios' ? 'an iPhone' : 'an Android phone'}, {localTime(preview.first)} to {localTime(preview.last)}.
            Dates read {preview.dateOrder === 'dmy' ? 'day first (31/12)' : 'month first (12/31)'}.
          </p>
          <p data-testid="chat-plan">
            <strong>{plural(preview.toImport, 'message', 'messages')}</strong> to import
            {preview.already > 0 && <> ({preview.already} imported before, not added again)</>}
            {preview.files.inExport > 0 && <>, {plural(preview.files.inExport, 'file', 'files')} into the document store</>}.
            {preview.files.missing > 0 && <> {plural(preview.files.missing, 'file the chat names is', 'files the chat names are')} not in the zip.</>}
            {preview.files.leftOut > 0 && <> The phone left out {plural(preview.files.leftOut, 'file', 'files')} (exported without media): export again with media to bring them in.</>}
          </p>
          <fieldset className="chat-authors" disabled={busy !== null}>
            <legend>Who is the client in this chat?</legend>
            {preview.authors.map((a) => (
              <label key={a.name}>
                <input type="radio" name="client-author" value={a.name} checked={clientAuthor === a.name} onChange={() => setClientAuthor(a.name)} />
                <span>
                  {a.name} <span className="muted">({plural(a.messages, 'message', 'messages')})</span>
                </span>
              </label>
            ))}
            <p className="muted">The client&apos;s messages are imported as received; everyone else&apos;s as sent by the office.</p>
          </fieldset>
          <label className="chat-language">
            The phone&apos;s language{' '}
            <select value={language} onChange={(e) => void relanguage(e.target.value as Language | '')} disabled={busy !== null} aria-label="The phone's language">
              <option value="">As the dates tell, else the office&apos;s</option>
              {(Object.keys(LANGUAGE_LABEL) as Language[]).map((l) => (
                <option key={l} value={l}>
                  {LANGUAGE_LABEL[l]}
                </option>
              ))}
            </select>
          </label>
          {preview.sample.length > 0 && (
            <Table columns={['When', 'From', 'Message']} label="First messages">
              {preview.sample.map((m, i) => (
                <tr key={i}>
                  <td>{localTime(m.local)}</td>
                  <td>{m.author}</td>
                  <td>{m.attachment ? `File ${m.attachment}${m.text ? `: ${m.text}` : ''}` : m.attachment === '' ? '(file left out by the phone)' : m.text}</td>
                </tr>
              ))}
            </Table>
          )}
          <div className="actions">
            {!clientAuthor && <p className="muted">Choose who the client is first.</p>}
            <button type="button" onClick={() => void runImport()} disabled={busy !== null || !clientAuthor || preview.toImport === 0}>
              {busy === 'import' ? 'Importing…' : preview.toImport === 0 ? 'Nothing new to import' : `Import ${plural(preview.toImport, 'message', 'messages')}`}
            </button>
            <button type="button" className="secondary" onClick={startOver} disabled={busy !== null}>
              Cancel
            </button>
          </div>
          {busy === 'import' && (
            <p className="muted" role="status" data-testid="chat-busy">
              Storing the chat&apos;s files and writing its messages… a chat with many photos takes a minute.
            </p>
          )}
        </Card>
      ) : (
        <Card title="Bring in a chat from a phone" testId="chat-empty">
          <p>
            A conversation a lawyer had with a client on a phone before LexDesk can join the client&apos;s history. On the phone, open the chat in
            WhatsApp, choose <em>More → Export chat</em> (iPhone: the contact&apos;s name → <em>Export Chat</em>), include media if the files matter,
            and save the file it makes where this computer can reach it.
          </p>
          {client ? (
            <div className="chat-client" data-testid="chat-client">
              <p>
                Into the conversation of <strong>{clientName}</strong> (+{client.whatsapp}).{' '}
                <button type="button" className="secondary" onClick={() => setClient(null)} disabled={busy !== null}>
                  Another client
                </button>
              </p>
              <button type="button" onClick={chooseFile} disabled={busy !== null || disabled}>
                {busy === 'upload' ? 'Reading the chat…' : 'Choose the exported chat…'}
              </button>
            </div>
          ) : (
            <div className="chat-client-search">
              <label>
                First, the client{' '}
                <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="Name or number" aria-label="Find the client" />
              </label>
              {clients && clients.length === 0 && (
                <p className="muted" data-testid="chat-no-clients">
                  {search.trim() ? `No client matches "${search.trim()}".` : 'No clients yet: a client appears here once they have written to the office or been imported.'}
                </p>
              )}
              {clients && clients.length > 0 && (
                <ul className="chat-client-list">
                  {clients.map((c) => (
                    <li key={c.id}>
                      <button type="button" className="secondary" onClick={() => setClient(c)}>
                        {c.name || 'No name yet'} <span className="muted">+{c.whatsapp}</span>
                      </button>
                    </li>
                  ))}
                </ul>
              )}
            </div>
          )}
        </Card>
      )}
      {error && (
        <div className="error-box" role="alert" data-testid="chat-error">
          <p>{error}</p>
        </div>
      )}
    </>
  );
}
