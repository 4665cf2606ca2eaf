/**
 * What never goes into the audit trail: passwords, tokens, keys, codes and message
 * bodies. Matched by field name at any depth, so a new operation's `password` or
 * `text` field is redacted without anyone remembering to.
 */
const SECRET_FIELD =
  /pass(word|phrase)?|secret|token|api[-_]?key|private[-_]?key|^key$|[-_]key$|credential|cookie|authorization|^code$|setup[-_]?code|otp|^(text|body|content|message|caption|media|data|document|file)$/i;

export const REDACTED = '[redacted]';
const MAX_STRING = 200;
const MAX_ITEMS = 50;
const MAX_DEPTH = 6;

export function isSecretField(name: string): boolean {
  return SECRET_FIELD.test(name);
}

/** A copy of `value` safe to store in the audit trail. */
export function redact(value: unknown, depth = 0): unknown {
  if (value === null || value === undefined) return value ?? null;
  if (typeof value === 'string') return value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…` : value;
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return value.toString();
  if (depth >= MAX_DEPTH) return '[…]';
  if (Array.isArray(value)) {
    const items = value.slice(0, MAX_ITEMS).map((item) => redact(item, depth + 1));
    if (value.length > MAX_ITEMS) items.push(`[+${value.length - MAX_ITEMS} more]`);
    return items;
  }
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return `[${value.byteLength} bytes]`;
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      out[key] = isSecretField(key) && v !== null && v !== undefined && v !== '' ? REDACTED : redact(v, depth + 1);
    }
    return out;
  }
  return String(value);
}
