import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { WEEKDAYS, languageInEnglish, type BotSettings as Settings, type OfficeHours, type Weekday } from '../../../../shared/bot.js';
import { Card, Screen } from '../../components/Layout.js';
import { ErrorBox } from '../../components/Status.js';
import { Table } from '../../components/Table.js';
import { useApi } from '../../context.js';
import { when } from '../../format.js';
import { useAction, useQuery } from '../../hooks.js';
import { readAsBase64 } from './common.js';
import { TextsEditor } from './TextsEditor.js';
import './bot.css';

const DAY_LABEL: Record<Weekday, string> = { mon: 'Monday', tue: 'Tuesday', wed: 'Wednesday', thu: 'Thursday', fri: 'Friday', sat: 'Saturday', sun: 'Sunday' };

type Section = keyof Settings;

/** One card of the settings form: its own draft, its own Save button, its own errors. */
function SectionCard<K extends Section>({
  title,
  section,
  onSaved,
  children,
  toValue,
  hint,
}: {
  title: string;
  section: K;
  onSaved: (settings: Settings) => void;
  children: ReactNode;
  toValue: () => Settings[K] | { error: string };
  hint?: string;
}) {
  const api = useApi();
  const save = useAction();
  const [saved, setSaved] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    const next = toValue();
    if (next && typeof next === 'object' && 'error' in next && typeof (next as { error: unknown }).error === 'string') {
      save.setError((next as { error: string }).error);
      return;
    }
    const done = await save.run(async () => {
      const result = await api.call('botSettings.update', { section, value: next } as never);
      onSaved(result.settings);
    });
    setSaved(done);
  };
  return (
    <Card title={title}>
      {hint && <p className="muted">{hint}</p>}
      <form onSubmit={(e) => void submit(e)}>
        {children}
        {save.error && <ErrorBox message={save.error} />}
        <div className="form-actions">
          <button type="submit" disabled={save.busy !== null}>
            Save {title.toLowerCase()}
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

function intervalsToText(intervals: OfficeHours['week'][Weekday]): string {
  return intervals.map((i) => `${i.open}-${i.close}`).join(', ');
}

function textToIntervals(text: string): OfficeHours['week'][Weekday] | null {
  const trimmed = text.trim();
  if (!trimmed || /^closed$/i.test(trimmed)) return [];
  const out = [];
  for (const part of trimmed.split(',')) {
    const m = /^\s*(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})\s*$/.exec(part);
    if (!m) return null;
    out.push({ open: `${m[1]!.padStart(2, '0')}:${m[2]}`, close: `${m[3]!.padStart(2, '0')}:${m[4]}` });
  }
  return out;
}

export function BotSettings() {
  const api = useApi();
  const query = useQuery('botSettings.get', {});
  const [settings, setSettings] = useState<Settings | null>(null);

  // drafts
  const [profile, setProfile] = useState<Settings['profile'] | null>(null);
  const [timeZone, setTimeZone] = useState('');
  const [days, setDays] = useState<Record<Weekday, string>>({} as Record<Weekday, string>);
  const [closedDates, setClosedDates] = useState('');
  const [areas, setAreas] = useState('');
  const [behaviour, setBehaviour] = useState<Settings['behaviour'] | null>(null);
  const [limits, setLimits] = useState<Settings['sendLimits'] | null>(null);
  const [languageCode, setLanguageCode] = useState('');
  const [languageJson, setLanguageJson] = useState('');
  const [notice, setNotice] = useState('');
  const [translations, setTranslations] = useState<Record<string, string>>({});
  const publishing = useAction();
  const [published, setPublished] = useState<string | null>(null);

  const load = (s: Settings) => {
    setSettings(s);
    setProfile(s.profile);
    setTimeZone(s.hours.timeZone);
    setDays(Object.fromEntries(WEEKDAYS.map((d) => [d, intervalsToText(s.hours.week[d])])) as Record<Weekday, string>);
    setClosedDates(s.hours.closedDates.join(', '));
    setAreas(s.practiceAreas.join('\n'));
    setBehaviour(s.behaviour);
    setLimits(s.sendLimits);
  };
  useEffect(() => {
    if (query.data) {
      load(query.data.settings);
      setNotice(query.data.notice.text);
      setTranslations(query.data.notice.translations);
    }
  }, [query.data]);

  if (query.error) return <ErrorBox message={query.error.message} onRetry={query.reload} />;
  if (!settings || !profile || !behaviour || !limits || !query.data) return <p className="muted">Loading the bot settings…</p>;
  const language = settings.behaviour.language;
  const catalogs = query.data.catalogs;

  const publish = (e: FormEvent) => {
    e.preventDefault();
    setPublished(null);
    void publishing.run(async () => {
      const others = settings.behaviour.languages.filter((l) => l !== settings.behaviour.language);
      const given = Object.fromEntries(others.filter((l) => translations[l] !== undefined && translations[l]!.trim() !== '').map((l) => [l, translations[l]!]));
      const { version } = await api.call('botSettings.publishNotice', { text: notice, translations: given });
      setPublished(`Version ${version} published`);
      query.reload();
    });
  };

  return (
    <Screen title="Bot settings">
      <div className="stack">
        <SectionCard title="Office profile" section="profile" onSaved={load} toValue={() => profile}>
          <div className="form-grid">
            {(['name', 'address', 'phone', 'email', 'website'] as const).map((field) => (
              <label key={field}>
                {field[0]!.toUpperCase() + field.slice(1)}
                <input value={profile[field]} required={field === 'name'} onChange={(e) => setProfile({ ...profile, [field]: e.target.value })} />
              </label>
            ))}
            <label>
              Logo for the PDF letterhead (PNG or JPEG, up to 300 KB)
              <input
                type="file"
                accept="image/png,image/jpeg"
                onChange={async (e) => {
                  const file = e.target.files?.[0];
                  if (!file) return;
                  const base64 = await readAsBase64(file);
                  setProfile({ ...profile, logo: { mimetype: file.type === 'image/png' ? 'image/png' : 'image/jpeg', base64 } });
                }}
              />
              {profile.logo && (
                <button type="button" className="secondary" onClick={() => setProfile({ ...profile, logo: null })}>
                  Remove the logo
                </button>
              )}
            </label>
          </div>
        </SectionCard>

        <SectionCard
          title="Opening hours"
          section="hours"
          onSaved={load}
          hint="Times like 09:00-12:30, 14:00-18:00; leave a day empty when the office is closed. Outside these hours the bot says so once per conversation."
          toValue={() => {
            const week = {} as OfficeHours['week'];
            for (const d of WEEKDAYS) {
              const parsed = textToIntervals(days[d] ?? '');
              if (!parsed) return { error: `${DAY_LABEL[d]}: write the hours like 09:00-18:00.` };
              week[d] = parsed;
            }
            const dates = closedDates.split(/[\s,]+/).filter(Boolean);
            return { timeZone: timeZone.trim(), week, closedDates: dates };
          }}
        >
          <div className="form-grid">
            <label>
              Time zone
              <input value={timeZone} onChange={(e) => setTimeZone(e.target.value)} placeholder="Europe/Lisbon" />
            </label>
            {WEEKDAYS.map((d) => (
              <label key={d}>
                {DAY_LABEL[d]}
                <input value={days[d] ?? ''} placeholder="closed" onChange={(e) => setDays({ ...days, [d]: e.target.value })} />
              </label>
            ))}
            <label>
              Closed on (holidays, YYYY-MM-DD)
              <input value={closedDates} onChange={(e) => setClosedDates(e.target.value)} placeholder="2026-12-25, 2026-12-26" />
            </label>
          </div>
        </SectionCard>

        <SectionCard
          title="Practice areas"
          section="practiceAreas"
          onSaved={load}
          hint="One per line, in the order the bot lists them."
          toValue={() => areas.split('\n').map((a) => a.trim()).filter(Boolean)}
        >
          <label>
            <span className="sr-only">Practice areas</span>
            <textarea rows={7} value={areas} onChange={(e) => setAreas(e.target.value)} />
          </label>
        </SectionCard>

        <SectionCard title="Behaviour" section="behaviour" onSaved={load} toValue={() => behaviour}>
          <div className="form-grid">
            <label>
              Default language (new clients whose language is not known)
              <select
                value={behaviour.language}
                onChange={(e) => setBehaviour({ ...behaviour, language: e.target.value, languages: behaviour.languages.filter((l) => l !== e.target.value) })}
              >
                {query.data.languages.map((l) => (
                  <option key={l.code} value={l.code}>
                    {languageInEnglish(l.code)} ({l.code})
                  </option>
                ))}
              </select>
            </label>
            <fieldset className="checks-inline">
              <legend>Also offered to clients</legend>
              {query.data.languages
                .filter((l) => l.code !== behaviour.language)
                .map((l) => (
                  <label key={l.code} className="check">
                    <input
                      type="checkbox"
                      checked={behaviour.languages.includes(l.code)}
                      onChange={(e) =>
                        setBehaviour({
                          ...behaviour,
                          languages: e.target.checked ? [...behaviour.languages, l.code] : behaviour.languages.filter((c) => c !== l.code),
                        })
                      }
                    />
                    {languageInEnglish(l.code)}
                  </label>
                ))}
              <p className="muted">
                A new client is answered in the language they write in (or of their number's country), and can switch at any time by writing its
                code, such as EN, PT or ES.
              </p>
            </fieldset>
            <label>
              Dates such as 03/04/2026 mean
              <select value={behaviour.dateOrder} onChange={(e) => setBehaviour({ ...behaviour, dateOrder: e.target.value as 'dmy' | 'mdy' })}>
                <option value="dmy">3 April (day first)</option>
                <option value="mdy">March 4 (month first, United States)</option>
              </select>
            </label>
            <label>
              Hand a conversation back to the bot after (hours without messages; 0 = never)
              <input type="number" min={0} max={720} value={behaviour.handBackAfterHours} onChange={(e) => setBehaviour({ ...behaviour, handBackAfterHours: Number(e.target.value) })} />
            </label>
            <label>
              Start a new conversation after (hours of silence)
              <input type="number" min={1} max={720} value={behaviour.newConversationAfterHours} onChange={(e) => setBehaviour({ ...behaviour, newConversationAfterHours: Number(e.target.value) })} />
            </label>
            <label>
              Misunderstood replies before handing to staff
              <input type="number" min={1} max={10} value={behaviour.misunderstandingsBeforeHandoff} onChange={(e) => setBehaviour({ ...behaviour, misunderstandingsBeforeHandoff: Number(e.target.value) })} />
            </label>
            <label style={{ flexDirection: 'row', alignItems: 'center' }}>
              <input type="checkbox" checked={behaviour.signStaffReplies} onChange={(e) => setBehaviour({ ...behaviour, signStaffReplies: e.target.checked })} />
              Sign staff replies with their name
            </label>
          </div>
        </SectionCard>

        <SectionCard
          title="Send limits"
          section="sendLimits"
          onSaved={load}
          hint="Conservative limits keep the office's number from being banned by WhatsApp."
          toValue={() => limits}
        >
          <div className="form-grid">
            <label>
              Messages per minute (all chats)
              <input type="number" min={1} max={100000} value={limits.perMinute} onChange={(e) => setLimits({ ...limits, perMinute: Number(e.target.value) })} />
            </label>
            <label>
              Seconds between two messages to one chat
              <input type="number" min={0} max={600} step={0.5} value={limits.perChatSeconds} onChange={(e) => setLimits({ ...limits, perChatSeconds: Number(e.target.value) })} />
            </label>
          </div>
        </SectionCard>

        <Card title="Privacy notice">
          <p className="muted">
            Version {query.data.notice.version}, published {when(query.data.notice.publishedAt)}
            {query.data.notice.publishedBy ? ` by ${query.data.notice.publishedBy}` : ''}. Publishing a change makes a new version; clients
            consent to it before their next intake. {'{office}'} is replaced by the office's name.
          </p>
          <form onSubmit={publish}>
            <label>
              {settings.behaviour.languages.length > 0 ? `In ${languageInEnglish(language)} (the default)` : <span className="sr-only">Notice text</span>}
              <textarea rows={6} value={notice} onChange={(e) => setNotice(e.target.value)} />
            </label>
            {settings.behaviour.languages
              .filter((l) => l !== language)
              .map((l) => (
                <label key={l}>
                  In {languageInEnglish(l)}
                  <textarea
                    rows={5}
                    value={translations[l] ?? ''}
                    placeholder={
                      notice === catalogs.en?.['privacy.notice']
                        ? (catalogs[l]?.['privacy.notice'] ?? '')
                        : `Without a translation, clients writing in ${languageInEnglish(l)} read the default text.`
                    }
                    onChange={(e) => setTranslations({ ...translations, [l]: e.target.value })}
                  />
                </label>
              ))}
            {publishing.error && <ErrorBox message={publishing.error} />}
            <div className="form-actions">
              <button
                type="submit"
                disabled={
                  publishing.busy !== null ||
                  (notice.trim() === query.data.notice.text && JSON.stringify(translations) === JSON.stringify(query.data.notice.translations))
                }
              >
                Publish as a new version
              </button>
              {published && (
                <span className="saved" role="status">
                  {published}
                </span>
              )}
            </div>
          </form>
        </Card>

        <TextsEditor
          settings={settings}
          catalog={query.data.catalog}
          catalogs={query.data.catalogs}
          languages={query.data.languages}
          onSaved={load}
        />

        <SectionCard
          title="Languages"
          section="languages"
          onSaved={load}
          hint="English, Portuguese (Brazil) and Spanish come with LexDesk. Add another language with a catalog: a JSON object of the same keys as the English texts (export one under Bot texts as a start; those left out stay in English). Then offer it under Behaviour."
          toValue={() => {
            const code = languageCode.trim();
            if (!code) return { error: 'Give the language code, such as pt or es.' };
            let parsed: unknown;
            try {
              parsed = JSON.parse(languageJson || '{}');
            } catch {
              return { error: 'The catalog is not valid JSON.' };
            }
            if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return { error: 'The catalog must be a JSON object.' };
            return { ...settings.languages, [code]: parsed as Record<string, string> };
          }}
        >
          <p>
            Added: {Object.keys(settings.languages).length === 0 ? 'none yet' : Object.keys(settings.languages).join(', ')}
          </p>
          <div className="form-grid">
            <label>
              Language code
              <input value={languageCode} onChange={(e) => setLanguageCode(e.target.value)} placeholder="pt" />
            </label>
          </div>
          <label>
            Catalog (JSON)
            <textarea rows={6} value={languageJson} onChange={(e) => setLanguageJson(e.target.value)} placeholder='{ "language.name": "Português", "menu": "Como podemos ajudar?…" }' />
          </label>
        </SectionCard>
      </div>
    </Screen>
  );
}
