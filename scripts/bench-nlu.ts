/**
 * npm run bench:nlu — how well, and how fast, the bot understands clients.
 *
 * Runs the utterance corpus (tests/fixtures/utterances/*.json) through
 * understand() and prints the accuracy per language and per intent, the
 * confusion pairs (expected → got, counted), the misroutes that must never
 * happen (a yes not given, a hand-off not asked for), and the time per
 * utterance beside a raw baseline: the old exact-phrase match (foldWords and a
 * Set lookup per `.words` key, in the order machine.ts checks them) on the same
 * corpus, with its accuracy too.
 *
 * `--failures` lists every case not understood as expected; NLU_LANGUAGES=en,es
 * runs only those corpora.
 */
import { performance } from 'node:perf_hooks';
import { foldWords } from '../main/core/bot/catalog/texts.js';
import { understand, type Intent, type Understanding } from '../main/core/bot/understand/index.js';
import {
  CORPUS_LANGUAGES,
  catalogWords,
  contextFor,
  expected,
  judge,
  loadCorpus,
  misroute,
  show,
  type Corpus,
  type UtteranceCase,
} from '../tests/support/utterances.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 50);
const listFailures = process.argv.includes('--failures');

type Baseline = (c: UtteranceCase) => Understanding;

/** The old way: the folded message must be one of a key's phrases, checked in machine.ts's order. */
function baselineFor(corpus: Corpus): Baseline {
  const words = catalogWords(corpus.language);
  const sets = new Map<string, Set<string>>();
  const means = (key: string, text: string) => {
    let set = sets.get(key);
    if (!set) sets.set(key, (set = new Set(words(key))));
    return set.has(foldWords(text));
  };
  const of = (intent: Intent | null, line?: number): Understanding => ({ intent, confidence: intent ? 1 : 0, alternatives: [], ...(line ? { line } : {}) });
  return (c) => {
    const text = c.text.trim();
    if (means('stop.words', text)) return of('stop');
    if (means('erase.words', text)) return of('erase');
    if (means('menu.words', text)) return of('menu');
    switch (c.expecting) {
      case 'menu':
        for (const key of ['menu.new', 'menu.status', 'menu.person', 'menu.info'] as const) if (means(`${key}.words`, text)) return of(key);
        return of(null);
      case 'consent':
        return of(means('yes.words', text) ? 'yes' : means('no.words', text) ? 'no' : null);
      case 'confirm': {
        if (means('yes.words', text)) return of('yes');
        if (/^[1-5]$/.test(text)) return of('no', Number(text));
        return of(means('no.words', text) ? 'no' : null);
      }
      case 'none-or-value':
        return of(means('none.words', text) ? 'none' : null);
      case 'free':
        return of(null);
    }
  };
}

function timePerUtterance(run: (c: UtteranceCase) => unknown, cases: UtteranceCase[]): number {
  for (const c of cases) run(c); // warm up: compile the catalog, settle the JIT
  const start = performance.now();
  for (let r = 0; r < ROUNDS; r++) for (const c of cases) run(c);
  return ((performance.now() - start) * 1000) / (ROUNDS * cases.length); // µs
}

const pct = (n: number, of: number) => (of === 0 ? '—' : `${((100 * n) / of).toFixed(1)} %`);
const pad = (s: string, n: number) => s.padEnd(n);

let failed = false;
const confusion = new Map<string, number>();
const perIntent = new Map<string, { ok: number; all: number }>();
const rows: string[][] = [];
const misroutes: string[] = [];
const failures: string[] = [];

const languages = process.env.NLU_LANGUAGES?.split(',') ?? CORPUS_LANGUAGES;
for (const language of languages) {
  const corpus = loadCorpus(language);
  const results = corpus.cases.map((c) => ({ c, got: understand(c.text, contextFor(corpus, c)) }));
  const ok = results.filter(({ c, got }) => judge(c, got)).length;
  const baseline = baselineFor(corpus);
  const baseOk = corpus.cases.filter((c) => judge(c, baseline(c))).length;
  for (const { c, got } of results) {
    const key = c.intent ?? 'null';
    const s = perIntent.get(key) ?? { ok: 0, all: 0 };
    s.all++;
    if (judge(c, got)) s.ok++;
    else {
      const pair = `${expected(c)} → ${show(got)}`;
      confusion.set(pair, (confusion.get(pair) ?? 0) + 1);
      failures.push(`  [${language} ${c.expecting}] ${JSON.stringify(c.text)}: expected ${expected(c)}, got ${show(got)}`);
    }
    perIntent.set(key, s);
    const wrong = misroute(c, got);
    if (wrong) misroutes.push(`  [${language} ${c.expecting}] ${JSON.stringify(c.text)} taken as ${got.intent} (expected ${c.intent ?? 'null'})`);
  }
  const ctxs = new Map(corpus.cases.map((c) => [c, contextFor(corpus, c)]));
  const nlu = timePerUtterance((c) => understand(c.text, ctxs.get(c)!), corpus.cases);
  const raw = timePerUtterance(baseline, corpus.cases);
  if (ok / corpus.cases.length < 0.95) failed = true;
  rows.push([language, String(corpus.cases.length), pct(ok, corpus.cases.length), pct(baseOk, corpus.cases.length), `${nlu.toFixed(1)} µs`, `${raw.toFixed(2)} µs`]);
}

console.log('\nAccuracy and time per utterance (understand() vs the old exact-phrase match)\n');
const head = ['language', 'cases', 'accuracy', 'baseline accuracy', 'understand()', 'baseline'];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)) + 2);
console.log(head.map((h, i) => pad(h, widths[i]!)).join(''));
for (const r of rows) console.log(r.map((v, i) => pad(v, widths[i]!)).join(''));

console.log('\nAccuracy per expected intent (all languages)\n');
for (const [intent, s] of [...perIntent].sort((a, b) => b[1].all - a[1].all)) console.log(`  ${pad(intent, 12)} ${pad(`${s.ok}/${s.all}`, 9)} ${pct(s.ok, s.all)}`);

console.log('\nConfusion pairs (expected → got)\n');
if (confusion.size === 0) console.log('  none');
for (const [pair, n] of [...confusion].sort((a, b) => b[1] - a[1])) console.log(`  ${String(n).padStart(3)}  ${pair}`);

console.log(`\nMisroutes (a yes not given, a hand-off not asked for): ${misroutes.length}`);
for (const m of misroutes) console.log(m);
if (misroutes.length > 0) failed = true;

if (listFailures) {
  console.log(`\nCases not understood as expected: ${failures.length}`);
  for (const f of failures) console.log(f);
}
console.log(failed ? '\nBelow the goal (95 % per language, no misroutes).' : '\nGoal met: at least 95 % per language and no misroutes.');
process.exitCode = failed ? 1 : 0;
