/**
 * A parser for the part of LogQL the shipped Grafana logs dashboard uses: a
 * stream selector, line filters, parsers and label filters, and the metric form
 * `agg by (labels) (count_over_time(<log query> [range]))`. No Loki runs here, so
 * this checks each query's shape and returns what it selects; anything outside
 * that grammar is an error naming where it stopped.
 */
export interface LogQuery {
  /** the stream selector's matchers */
  selector: { label: string; op: string; value: string }[];
  /** the labels compared after a parser (`| json | status >= 400`) */
  filteredLabels: string[];
  /** set for a metric query */
  metric?: { aggregation?: string; by: string[]; range: string; fn: string };
}

const TOKEN = /\s*(?:("(?:[^"\\]|\\.)*"|`[^`]*`)|(\d+(?:\.\d+)?[smhdw]?)|([A-Za-z_][A-Za-z0-9_]*)|(\|=|!=|\|~|!~|=~|>=|<=|==|[{}(),|=<>\[\]]))/y;

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    if (/^\s*$/.test(text.slice(TOKEN.lastIndex))) break;
    const start = TOKEN.lastIndex;
    const match = TOKEN.exec(text);
    if (!match) throw new Error(`cannot read the query at ${start}: ${JSON.stringify(text.slice(start, start + 20))}`);
    tokens.push(match[1] ?? match[2] ?? match[3] ?? match[4]!);
  }
  return tokens;
}

const AGGREGATIONS = new Set(['sum', 'avg', 'min', 'max', 'count', 'topk', 'bottomk']);
const RANGE_FUNCTIONS = new Set(['count_over_time', 'rate', 'bytes_over_time', 'bytes_rate']);
const PARSERS = new Set(['json', 'logfmt']);
const MATCH_OPS = new Set(['=', '!=', '=~', '!~']);
const COMPARE_OPS = new Set(['=', '!=', '=~', '!~', '==', '>', '>=', '<', '<=']);

const unquote = (token: string) => (token.startsWith('`') ? token.slice(1, -1) : (JSON.parse(token) as string));
const isString = (token: string | undefined) => token !== undefined && (token.startsWith('"') || token.startsWith('`'));

export function parseLogQL(text: string): LogQuery {
  const tokens = tokenize(text);
  let at = 0;
  const peek = () => tokens[at];
  const take = (expected?: string): string => {
    const token = tokens[at];
    if (token === undefined) throw new Error(`the query ends early${expected ? `, expecting ${expected}` : ''}`);
    if (expected !== undefined && token !== expected) throw new Error(`expected ${expected} at token ${at}, found ${token}`);
    at++;
    return token;
  };
  const regexOk = (op: string, value: string) => {
    if (op === '=~' || op === '!~' || op === '|~') new RegExp(value);
  };

  const logQuery = (): Omit<LogQuery, 'metric'> => {
    take('{');
    const selector: LogQuery['selector'] = [];
    for (;;) {
      const label = take();
      if (!/^[A-Za-z_]\w*$/.test(label)) throw new Error(`a label name was expected, found ${label}`);
      const op = take();
      if (!MATCH_OPS.has(op)) throw new Error(`${op} is not a matcher`);
      const raw = take();
      if (!isString(raw)) throw new Error(`the value of ${label} must be quoted`);
      const value = unquote(raw);
      regexOk(op, value);
      selector.push({ label, op, value });
      if (peek() === ',') take(',');
      else break;
    }
    take('}');
    if (!selector.some((m) => m.op === '=' || (m.op === '=~' && !new RegExp(`^(?:${m.value})$`).test('')))) {
      throw new Error('a stream selector needs a matcher that cannot match the empty value');
    }
    const filteredLabels: string[] = [];
    while (peek() === '|' || peek() === '|=' || peek() === '!=' || peek() === '|~' || peek() === '!~') {
      const op = take();
      if (op !== '|') {
        const raw = take();
        if (!isString(raw)) throw new Error(`a line filter ${op} needs a quoted string`);
        regexOk(op, unquote(raw));
        continue;
      }
      const word = take();
      if (PARSERS.has(word)) continue;
      // label filters: name op value, joined by and/or
      for (let name = word; ; name = take()) {
        const cmp = take();
        if (!COMPARE_OPS.has(cmp)) throw new Error(`${cmp} is not a label comparison`);
        const value = take();
        if (isString(value)) regexOk(cmp, unquote(value));
        else if (!/^\d+(\.\d+)?$/.test(value)) throw new Error(`${value} is neither a string nor a number`);
        filteredLabels.push(name);
        if (peek() === 'or' || peek() === 'and') take();
        else break;
      }
    }
    return { selector, filteredLabels };
  };

  let result: LogQuery;
  if (peek() === '{') {
    result = logQuery();
  } else {
    let aggregation: string | undefined;
    let by: string[] = [];
    if (AGGREGATIONS.has(peek() ?? '')) {
      aggregation = take();
      if (peek() === 'by' || peek() === 'without') {
        take();
        take('(');
        while (peek() !== ')') {
          by.push(take());
          if (peek() === ',') take(',');
        }
        take(')');
      }
      take('(');
    }
    const fn = take();
    if (!RANGE_FUNCTIONS.has(fn)) throw new Error(`${fn} is not a range function`);
    take('(');
    const inner = logQuery();
    take('[');
    const range = take();
    if (!/^\d+[smhdw]$/.test(range)) throw new Error(`${range} is not a range`);
    take(']');
    take(')');
    if (aggregation) {
      take(')');
      if (peek() === 'by') {
        take();
        take('(');
        by = [];
        while (peek() !== ')') by.push(take());
        take(')');
      }
    }
    result = { ...inner, metric: { aggregation, by, range, fn } };
  }
  if (at !== tokens.length) throw new Error(`unexpected ${tokens[at]} after the end of the query`);
  return result;
}
