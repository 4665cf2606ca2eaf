import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Screen } from '../../components/Layout.js';
import { ErrorBox } from '../../components/Status.js';
import { useApi } from '../../context.js';
import { useAction, useQuery, useServerEvents } from '../../hooks.js';
import { DocumentViewer, saveBlob } from '../../components/Documents.js';
import { readAsBase64 } from '../bot/common.js';
import './whatsapp.css';

interface PlayedClient {
  number: string;
  name: string | null;
}

const PHONE = /^[1-9]\d{7,14}$/;

function Chat({ client, tick }: { client: PlayedClient; tick: number }) {
  const api = useApi();
  const chat = useQuery('simulator.chat', { from: client.number }, { refreshMs: 5_000 });
  const [text, setText] = useState('');
  const sending = useAction();
  const end = useRef<HTMLLIElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const [opened, setOpened] = useState<{ fileName: string; blob: Blob } | null>(null);

  // the simulated client sends a file, with what is typed as its caption
  const sendFile = async (file: File | undefined) => {
    if (!file) return;
    await sending.run(async () => {
      if (file.size > 16 * 1024 * 1024) throw new Error('The simulator takes files up to 16 MB.');
      const base64 = await readAsBase64(file);
      await api.call('simulator.clientSend', {
        from: client.number,
        ...(client.name ? { name: client.name } : {}),
        text,
        media: { fileName: file.name, mimetype: file.type || 'application/octet-stream', base64 },
      });
      setText('');
      chat.reload();
    });
    if (fileInput.current) fileInput.current.value = '';
  };

  // the simulated client opens a file it received: PDFs in the viewer, the rest saved
  const openFile = (messageId: string) =>
    sending.run(async () => {
      const file = await api.call('simulator.clientFile', { from: client.number, messageId });
      const bytes = Uint8Array.from(atob(file.base64), (c) => c.charCodeAt(0));
      const blob = new Blob([bytes], { type: file.mimetype });
      if (file.mimetype === 'application/pdf') setOpened({ fileName: file.fileName, blob });
      else saveBlob(blob, file.fileName);
    });
  const reload = chat.reload;
  useEffect(() => {
    reload();
  }, [tick, reload]);
  useEffect(() => {
    end.current?.scrollIntoView({ block: 'nearest' });
  }, [chat.data?.messages.length]);

  const send = async (event: FormEvent) => {
    event.preventDefault();
    if (!text.trim()) return;
    await sending.run(async () => {
      await api.call('simulator.clientSend', { from: client.number, ...(client.name ? { name: client.name } : {}), text });
      setText('');
      chat.reload();
    });
  };

  return (
    <section className="card sim-chat" aria-label={`Chat with ${client.name ?? client.number}`}>
      <h2>
        {client.name ?? 'Client'} <span className="muted">+{client.number}</span>
      </h2>
      {chat.error && <ErrorBox message={chat.error.message} onRetry={chat.reload} />}
      <ol className="sim-messages" data-testid="sim-messages">
        {chat.data?.messages.length === 0 && (
          <li className="muted sim-empty">No messages yet. Write as the client below; the office's answers appear here.</li>
        )}
        {chat.data?.messages.map((m) => (
          <li key={m.id} className={`sim-bubble sim-${m.direction}`} data-direction={m.direction}>
            {m.fileName ? (
              <button type="button" className="sim-doc link" onClick={() => void openFile(m.id)} data-testid="sim-file">
                📄 {m.fileName}
              </button>
            ) : null}
            {m.text && <span className="sim-text">{m.text}</span>}
            <time className="muted">{new Date(m.at).toLocaleTimeString()}</time>
          </li>
        ))}
        <li ref={end} aria-hidden="true" />
      </ol>
      {sending.error && <ErrorBox message={sending.error} />}
      <form className="sim-composer" onSubmit={(e) => void send(e)}>
        <label className="sr-only" htmlFor={`sim-text-${client.number}`}>
          Message from {client.name ?? client.number}
        </label>
        <textarea
          id={`sim-text-${client.number}`}
          rows={2}
          value={text}
          maxLength={4096}
          placeholder="Type as the client…"
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey) {
              e.preventDefault();
              void send(e);
            }
          }}
        />
        <button type="submit" disabled={sending.busy !== null || !text.trim()}>
          {sending.busy ? 'Sending…' : 'Send'}
        </button>
        <label className="secondary sim-attach">
          <span>Attach a file as the client</span>
          <input ref={fileInput} type="file" data-testid="sim-file-input" onChange={(e) => void sendFile(e.target.files?.[0])} />
        </label>
      </form>
      {opened && <DocumentViewer doc={{ fileName: opened.fileName, preview: 'pdf' }} load={async () => opened.blob} onClose={() => setOpened(null)} />}
    </section>
  );
}

/**
 * The WhatsApp simulator's chat panel: a person plays one or several clients,
 * writes as them and reads what the office answers. Exists only while the
 * simulator is the transport (LEXDESK_WHATSAPP=simulator).
 */
export function SimulatorPanel() {
  const status = useQuery('whatsapp.status', {});
  const isSimulator = status.data?.transport === 'simulator';
  const clients = useQuery('simulator.clients', {}, { refreshMs: 10_000, enabled: isSimulator });
  const [played, setPlayed] = useState<PlayedClient[]>([]);
  const [selected, setSelected] = useState<string | null>(null);
  const [number, setNumber] = useState('');
  const [name, setName] = useState('');
  const [formError, setFormError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);

  useServerEvents(['simulator.message'], () => {
    setTick((t) => t + 1);
    clients.reload();
  });

  // clients who already have a conversation are there to be played again
  useEffect(() => {
    if (!clients.data) return;
    setPlayed((current) => {
      const known = new Set(current.map((c) => c.number));
      return [...current, ...clients.data!.clients.filter((c) => !known.has(c.number)).map((c) => ({ number: c.number, name: c.name }))];
    });
  }, [clients.data]);

  useEffect(() => {
    if (!selected && played.length > 0) setSelected(played[0]!.number);
  }, [played, selected]);

  if (status.error) return <ErrorBox message={status.error.message} onRetry={status.reload} />;
  if (!status.data) return <p className="muted">Loading…</p>;
  if (!isSimulator) {
    return (
      <Screen title="WhatsApp simulator">
        <p className="muted">
          LexDesk is connected to the real WhatsApp, so the simulator is off. To try LexDesk without a phone, start it
          with <code>LEXDESK_WHATSAPP=simulator</code>.
        </p>
      </Screen>
    );
  }

  const add = (event: FormEvent) => {
    event.preventDefault();
    const digits = number.replace(/[\s+()-]/g, '');
    if (!PHONE.test(digits)) {
      setFormError('Enter the number in international digits, e.g. 5511987654321.');
      return;
    }
    setFormError(null);
    setPlayed((current) =>
      current.some((c) => c.number === digits) ? current : [...current, { number: digits, name: name.trim() || null }],
    );
    setSelected(digits);
    setNumber('');
    setName('');
  };

  const client = played.find((c) => c.number === selected) ?? null;
  return (
    <Screen
      title="WhatsApp simulator"
      aside={
        <span className="muted">
          Link: <strong data-testid="sim-link-state">{status.data.state}</strong>
        </span>
      }
    >
      <div className="sim-layout">
        <aside className="card sim-clients" aria-label="Simulated clients">
          <h2>Clients you play</h2>
          {clients.error && <ErrorBox message={clients.error.message} onRetry={clients.reload} />}
          {played.length === 0 && <p className="muted">Nobody yet. Add a client with a phone number to start a conversation.</p>}
          <ul>
            {played.map((c) => (
              <li key={c.number}>
                <button
                  type="button"
                  className={c.number === selected ? '' : 'secondary'}
                  aria-pressed={c.number === selected}
                  onClick={() => setSelected(c.number)}
                >
                  {c.name ?? 'Client'} · +{c.number}
                </button>
              </li>
            ))}
          </ul>
          <form className="sim-add" onSubmit={add} aria-label="Add a client">
            <label>
              Phone (international digits)
              <input value={number} onChange={(e) => setNumber(e.target.value)} placeholder="5511987654321" inputMode="numeric" />
            </label>
            <label>
              Name on WhatsApp (optional)
              <input value={name} onChange={(e) => setName(e.target.value)} maxLength={100} />
            </label>
            {formError && <p className="wa-reason" role="alert">{formError}</p>}
            <button type="submit" className="secondary">
              Add client
            </button>
          </form>
        </aside>
        {client ? (
          <Chat key={client.number} client={client} tick={tick} />
        ) : (
          <p className="muted">Choose or add a client to chat as them.</p>
        )}
      </div>
    </Screen>
  );
}
