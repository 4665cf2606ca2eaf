import { useState, type FormEvent } from 'react';
import { languageInEnglish } from '../../../../shared/bot.js';
import type { QuickReply } from '../../../../shared/contract/inbox.js';
import { Card, Screen } from '../../components/Layout.js';
import { ErrorBox, QueryStatus } from '../../components/Status.js';
import { useApi } from '../../context.js';
import { when } from '../../format.js';
import { useAction, useQuery } from '../../hooks.js';
import { roleAllows } from '../../../../shared/permissions.js';
import { useSession } from '../../session.js';
import './bot.css';

/** The office's quick replies: lawyers and admins write them, one text per language the bot speaks. */
export function QuickReplies() {
  const api = useApi();
  const list = useQuery('quickReplies.list', {});
  const role = useSession().state.user?.role;
  const settings = useQuery('botSettings.get', {}, { enabled: role ? roleAllows(role, 'settings.manage') : false });
  const [editing, setEditing] = useState<QuickReply | 'new' | null>(null);
  const remove = useAction<number>();

  // the admin sees the offered languages; a lawyer, who cannot read settings, writes in English, Portuguese and Spanish
  const languages = settings.data
    ? [...new Set([settings.data.settings.behaviour.language, ...settings.data.settings.behaviour.languages])]
    : ['en', 'pt-BR', 'es'];

  return (
    <Screen title="Quick replies">
      <div className="stack">
        <Card title="Quick replies">
          <p className="muted">
            Staff type <kbd>/</kbd> in a reply to pick one; it is filled in for the client, in their language, and can be edited before it is sent.
          </p>
          <QueryStatus query={list} loading="Loading quick replies…" />
          {list.data && list.data.items.length === 0 && <p className="empty">No quick replies yet. Add the answers the office gives every day.</p>}
          <ul className="list" data-testid="quick-reply-list">
            {(list.data?.items ?? []).map((q) => (
              <li key={q.id} className="row">
                <span className="row-title">{q.title}</span>
                <span className="row-meta">
                  {Object.keys(q.texts).map(languageInEnglish).join(', ')} · {q.updatedBy}, {when(q.updatedAt)}
                </span>
                <span className="row-sub actions">
                  <button type="button" className="secondary small" onClick={() => setEditing(q)}>
                    Edit
                  </button>
                  <button
                    type="button"
                    className="secondary small"
                    disabled={remove.busy === q.id}
                    onClick={() => {
                      if (window.confirm(`Remove the quick reply “${q.title}”?`))
                        void remove.run(async () => {
                          await api.call('quickReplies.delete', { id: q.id });
                          list.reload();
                        }, q.id);
                    }}
                  >
                    Remove
                  </button>
                </span>
              </li>
            ))}
          </ul>
          {remove.error && <ErrorBox message={remove.error} />}
          <div className="form-actions">
            <button type="button" onClick={() => setEditing('new')}>
              Add a quick reply
            </button>
          </div>
        </Card>
        {editing && (
          <Editor
            key={editing === 'new' ? 'new' : editing.id}
            reply={editing === 'new' ? null : editing}
            languages={languages}
            variables={list.data?.variables ?? []}
            onDone={() => {
              setEditing(null);
              list.reload();
            }}
          />
        )}
      </div>
    </Screen>
  );
}

function Editor({
  reply,
  languages,
  variables,
  onDone,
}: {
  reply: QuickReply | null;
  languages: string[];
  variables: { name: string; description: string }[];
  onDone: () => void;
}) {
  const api = useApi();
  const save = useAction();
  const [title, setTitle] = useState(reply?.title ?? '');
  const [texts, setTexts] = useState<Record<string, string>>(reply?.texts ?? {});
  const shown = [...new Set([...languages, ...Object.keys(texts)])];

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const value = Object.fromEntries(Object.entries(texts).filter(([, t]) => t.trim() !== ''));
    const done = await save.run(async () => {
      if (reply) await api.call('quickReplies.update', { id: reply.id, title, texts: value });
      else await api.call('quickReplies.create', { title, texts: value });
    });
    if (done) onDone();
  };

  return (
    <Card title={reply ? `Edit “${reply.title}”` : 'New quick reply'}>
      <form onSubmit={(e) => void submit(e)}>
        <label>
          Name (what staff type after /)
          <input value={title} maxLength={80} onChange={(e) => setTitle(e.target.value)} placeholder="Documents needed" />
        </label>
        {shown.map((code) => (
          <label key={code}>
            In {languageInEnglish(code)}
            <textarea rows={3} value={texts[code] ?? ''} onChange={(e) => setTexts({ ...texts, [code]: e.target.value })} />
          </label>
        ))}
        <p className="muted">
          It can use: {variables.map((v) => (
            <span key={v.name}>
              <code>{`{${v.name}}`}</code> {v.description};{' '}
            </span>
          ))}
        </p>
        {save.error && <ErrorBox message={save.error} />}
        <div className="form-actions">
          <button type="submit" disabled={save.busy !== null}>
            Save quick reply
          </button>
          <button type="button" className="secondary" onClick={onDone}>
            Cancel
          </button>
        </div>
      </form>
    </Card>
  );
}
