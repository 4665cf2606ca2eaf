import { z } from 'zod';

/**
 * Marks a field of an operation's input as never to be recorded (passwords,
 * passphrases, tokens, codes, message bodies). The audit trail stores
 * "[redacted]" in its place, whatever the field is called.
 *
 *   input: z.object({ current: sensitive(z.string()), next: sensitive(z.string()) })
 */
export function sensitive<T extends z.ZodType>(schema: T): T {
  return schema.meta({ sensitive: true }) as T;
}

function isMarked(schema: z.ZodType): boolean {
  return (schema.meta() as { sensitive?: boolean } | undefined)?.sensitive === true;
}

/** Peels optional/nullable/default/readonly wrappers, noticing a mark on any layer. */
function peel(schema: z.ZodType): { inner: z.ZodType; marked: boolean } {
  let current = schema;
  let marked = isMarked(current);
  for (let i = 0; i < 10; i++) {
    const def = (current as unknown as { def: { innerType?: z.ZodType } }).def;
    if (!def?.innerType) break;
    current = def.innerType;
    marked ||= isMarked(current);
  }
  return { inner: current, marked };
}

export const REDACTED_VALUE = '[redacted]';

/** A copy of `value` with every field the schema marks sensitive replaced by "[redacted]". */
export function withoutSensitive(schema: z.ZodType, value: unknown): unknown {
  const { inner, marked } = peel(schema);
  if (marked) return value === undefined || value === null || value === '' ? value : REDACTED_VALUE;
  if (inner instanceof z.ZodObject && value && typeof value === 'object' && !Array.isArray(value)) {
    const shape = inner.shape as Record<string, z.ZodType>;
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      out[key] = shape[key] ? withoutSensitive(shape[key], v) : v;
    }
    return out;
  }
  if (inner instanceof z.ZodArray && Array.isArray(value)) {
    return value.map((item) => withoutSensitive(inner.element as z.ZodType, item));
  }
  return value;
}
