import { useMemo, useState, type FormEvent, type ReactElement } from 'react';
import { languageInEnglish, type BotSettings } from '../../../../shared/bot.js';
import { TEXT_GROUPS, textLabel, textProblem } from '../../../../shared/bot-texts.js';
import { Card } from '../../components/Layout.js';
import { ErrorBox } from '../../components/Status.js';
import { useApi } from '../../context.js';
import { useAction } from '../../hooks.js';

/** Sample values for the preview, as a client would see them. */
const SAMPLE: Record<string, string> = {
  clientName: ' Ana',
  reference: '2026-0042',
  areas: '1. Family\n2. Employment\n3. Housing',
  area: 'Family',
  hours: 'Mon–Fri 09:00–18:00',
  nextOpen: 'Monday at 09:00',
  address: 'Rua Augusta 10, Lisboa',
  phone: '+351 21 000 0000',
  email: 'office@example.org',
  name: 'Ana Souza',
  description: 'My landlord will not return my deposit.',
  opposing: 'Imobiliária Central',
  deadline: '31 December 2026',
  status: 'in progress',
  nextStep: 'Hearing on 3 March',
  max: '1500',
  fileName: 'contract.pdf',
  staffName: 'Marta',
  version: '2',
  notice: '(the privacy notice)',
  date: '31/02',
  typed: 'next Friday',
  example: '31/12/2026',
  time: '09:00',
  day: 'Monday',
  first: 'a new matter (reply 1)',
  second: 'talking to a person (reply 3)',
  languages: 'EN · English\nPT · Português (Brasil)',
  page: '1',
  pages: '2',
  at: '5 January 2026, 10:00',
};

/** WhatsApp's own marks: *bold*, _italic_, ~struck~, ```monospace```; line breaks kept. */
function WhatsAppText({ text }: { text: string }) {
  const parts: ReactElement[] = [];
  const re = /(\*[^*\n]+\*|_[^_\n]+_|~[^~\n]+~|```[^`]+```)/g;
  let last = 0;
  let i = 0;
  for (const m of text.matchAll(re)) {
    if (m.index! > last) parts.push(<span key={i++}>{text.slice(last, m.index)}</span>);
    const token = m[0];
    const inner = token.startsWith('```') ? token.slice(3, -3) : token.slice(1, -1);
    if (token.startsWith('*')) parts.push(<strong key={i++}>{inner}</strong>);
    else if (token.startsWith('_')) parts.push(<em key={i++}>{inner}</em>);
    else if (token.startsWith('~')) parts.push(<s key={i++}>{inner}</s>);
    else parts.push(<code key={i++}>{inner}</code>);
    last = m.index! + token.length;
  }
  if (last < text.length) parts.push(<span key={i++}>{text.slice(last)}</span>);
  return <div className="wa-bubble">{parts}</div>;
}

function fillSample(text: string, office: string): string {
  return text.replace(/\{([a-zA-Z][a-zA-Z0-9_]*)\}/g, (whole, name: string) => (name === 'office' ? office : (SAMPLE[name] ?? whole)));
}

/**
 * Every text the bot sends, per language, as a labelled field with the English
 * beside it and a preview as WhatsApp shows it; the texts a language does not
 * have yet are listed (they go out in English); a language can be exported as
 * JSON for a translator and the translation imported back.
 */
export function TextsEditor({
  settings,
  catalog,
  catalogs,
  languages,
  onSaved,
}: {
  settings: BotSettings;
  catalog: { key: string; english: string }[];
  catalogs: Record<string, Record<string, string>>;
  languages: { code: string; name: string; builtIn: boolean }[];
  onSaved: (settings: BotSettings) => void;
}) {
  const api = useApi();
  const save = useAction();
  const [language, setLanguage] = useState(settings.behaviour.language);
  const [drafts, setDrafts] = useState<Record<string, Record<string, string>>>(() => structuredClone(settings.texts));
  const [filter, setFilter] = useState('');
  const [focused, setFocused] = useState<string>('greeting');
  const [saved, setSaved] = useState(false);
  const [importNote, setImportNote] = useState<string | null>(null);

  const english = useMemo(() => Object.fromEntries(catalog.map((c) => [c.key, c.english])), [catalog]);
  const own = catalogs[language] ?? {};
  const overrides = drafts[language] ?? {};
  const name = languageInEnglish(language);
  /** what the client receives for a key in this language now */
  const effective = (key: string) => (overrides[key]?.trim() ? overrides[key]! : own[key]?.trim() ? own[key]! : english[key] ?? '');
  const missing = catalog.filter((c) => !own[c.key]?.trim() && !overrides[c.key]?.trim() && language !== 'en').map((c) => c.key);
  const problems = Object.entries(overrides)
    .filter(([, v]) => v !== '')
    .map(([key, v]) => ({ key, problem: textProblem(key, v, english[key] ?? '') }))
    .filter((p): p is { key: string; problem: string } => p.problem !== null);
  const problemOf = (key: string) => problems.find((p) => p.key === key)?.problem;

  const setText = (key: string, value: string) => {
    setSaved(false);
    setDrafts({ ...drafts, [language]: { ...overrides, [key]: value } });
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    const first = problems[0];
    if (first) {
      save.setError(`The text “${textLabel(first.key)}” in ${name} ${first.problem}.`);
      return;
    }
    // an empty box, or one that says what the catalog says, is no override
    const value = Object.fromEntries(
      Object.entries(drafts)
        .map(([code, texts]) => [
          code,
          Object.fromEntries(Object.entries(texts).filter(([key, v]) => v.trim() !== '' && v !== (catalogs[code]?.[key] ?? ''))),
        ])
        .filter(([, texts]) => Object.keys(texts as object).length > 0),
    );
    const done = await save.run(async () => {
      const result = await api.call('botSettings.update', { section: 'texts', value });
      onSaved(result.settings);
    });
    setSaved(done);
  };

  const exportJson = () => {
    const texts = Object.fromEntries(catalog.filter((c) => c.key !== 'privacy.notice').map((c) => [c.key, effective(c.key)]));
    const blob = new Blob([JSON.stringify(texts, null, 2)], { type: 'application/json' });
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = `lexdesk-texts-${language}.json`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };

  const importJson = async (file: File) => {
    setImportNote(null);
    save.setError(null);
    let parsed: unknown;
    try {
      parsed = JSON.parse(await file.text());
    } catch {
      save.setError(`${file.name} is not a JSON file LexDesk can read.`);
      return;
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      save.setError(`${file.name} must hold one JSON object of texts, such as { "greeting": "…" }.`);
      return;
    }
    const entries = Object.entries(parsed as Record<string, unknown>);
    const unknown = entries.filter(([key]) => !(key in english)).map(([key]) => key);
    const notText = entries.filter(([, v]) => typeof v !== 'string').map(([key]) => key);
    if (notText.length > 0) {
      save.setError(`In ${file.name}, ${notText.slice(0, 3).join(', ')} ${notText.length === 1 ? 'is' : 'are'} not text.`);
      return;
    }
    const next = { ...overrides };
    let changed = 0;
    for (const [key, v] of entries as [string, string][]) {
      if (!(key in english) || key === 'privacy.notice') continue;
      if (v === effective(key)) continue;
      next[key] = v;
      changed++;
    }
    setDrafts({ ...drafts, [language]: next });
    setImportNote(
      `${changed} text${changed === 1 ? '' : 's'} changed from ${file.name}; check them and save.` +
        (unknown.length > 0 ? ` Left out, because LexDesk has no such texts: ${unknown.slice(0, 5).join(', ')}${unknown.length > 5 ? '…' : ''}.` : ''),
    );
  };

  const needle = filter.trim().toLowerCase();
  const shown = (key: string) =>
    !needle || `${key} ${textLabel(key)} ${english[key] ?? ''} ${effective(key)}`.toLowerCase().includes(needle);

  return (
    <Card title="Bot texts">
      <p className="muted">
        Every message the bot sends, per language. Leave a box empty to use LexDesk's wording (shown greyed). Words in braces, such as{' '}
        {'{office}'}, are filled in when the message is sent. The privacy notice is changed under Privacy notice.
      </p>
      <form onSubmit={(e) => void submit(e)}>
        <div className="toolbar">
          <label>
            Language{' '}
            <select value={language} onChange={(e) => setLanguage(e.target.value)} aria-label="Language of the texts">
              {languages.map((l) => (
                <option key={l.code} value={l.code}>
                  {languageInEnglish(l.code)} ({l.code})
                </option>
              ))}
            </select>
          </label>
          <label className="sr-only" htmlFor="texts-filter">
            Find a text
          </label>
          <input id="texts-filter" type="search" placeholder="Find a text" value={filter} onChange={(e) => setFilter(e.target.value)} />
          <button type="button" className="secondary" onClick={exportJson}>
            Export {name} as JSON
          </button>
          <label className="button secondary">
            Import JSON…
            <input
              type="file"
              accept="application/json,.json"
              className="sr-only"
              aria-label={`Import ${name} texts from a JSON file`}
              onChange={(e) => {
                const file = e.target.files?.[0];
                e.target.value = '';
                if (file) void importJson(file);
              }}
            />
          </label>
        </div>
        {importNote && (
          <p role="status" className="saved">
            {importNote}
          </p>
        )}
        {missing.length > 0 ? (
          <details className="missing" open={missing.length <= 10} data-testid="missing-texts">
            <summary>
              {missing.length} text{missing.length === 1 ? '' : 's'} not yet in {name}: {missing.length === 1 ? 'it goes' : 'they go'} out in
              English
            </summary>
            <ul>
              {missing.map((key) => (
                <li key={key}>
                  <button type="button" className="link" onClick={() => { setFilter(''); setFocused(key); document.getElementById(`text-${key}`)?.focus(); }}>
                    {textLabel(key)}
                  </button>
                </li>
              ))}
            </ul>
          </details>
        ) : (
          <p className="muted">Every text exists in {name}.</p>
        )}

        <div className="texts-layout">
          <div className="texts-fields">
            {TEXT_GROUPS.map((group) => {
              const keys = group.keys.filter((key) => key in english && key !== 'privacy.notice' && shown(key));
              if (keys.length === 0) return null;
              return (
                <fieldset key={group.title}>
                  <legend>{group.title}</legend>
                  {keys.map((key) => {
                    const problem = problemOf(key);
                    return (
                      <div key={key} className={`text-field${problem ? ' invalid' : ''}`}>
                        <label htmlFor={`text-${key}`}>
                          {textLabel(key)} <code className="muted">{key}</code>
                        </label>
                        <textarea
                          id={`text-${key}`}
                          rows={Math.min(6, Math.max(2, (effective(key).match(/\n/g)?.length ?? 0) + 1))}
                          value={overrides[key] ?? ''}
                          placeholder={own[key] ?? english[key]}
                          aria-invalid={problem ? true : undefined}
                          onFocus={() => setFocused(key)}
                          onChange={(e) => setText(key, e.target.value)}
                        />
                        {language !== 'en' && <p className="english">English: {english[key]}</p>}
                        {problem && <p className="field-error">This text {problem}.</p>}
                      </div>
                    );
                  })}
                </fieldset>
              );
            })}
          </div>
          <aside className="texts-preview" aria-label="Preview">
            <h3>{textLabel(focused)}</h3>
            {focused.endsWith('.words') ? (
              <p className="muted">Not sent: clients may type any of these ({effective(focused).split('|').length} phrases).</p>
            ) : (
              <WhatsAppText text={fillSample(effective(focused), settings.profile.name)} />
            )}
            <p className="muted">As WhatsApp shows it, with sample values.</p>
          </aside>
        </div>
        {save.error && <ErrorBox message={save.error} />}
        <div className="form-actions">
          <button type="submit" disabled={save.busy !== null}>
            Save bot texts
          </button>
          {saved && (
            <span className="saved" role="status">
              Saved
            </span>
          )}
        </div>
      </form>
    </Card>
  );
}
