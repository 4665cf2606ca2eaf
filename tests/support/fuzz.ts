import fc from 'fast-check';
import { z } from 'zod';

type JsonSchema = {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  prefixItems?: JsonSchema[];
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  default?: unknown;
};

/** Strings an attacker tries: markup, path tricks, bidi overrides, nulls, SQL, huge. */
export const hostileString = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '<script>alert(1)</script>',
    '../../../../etc/passwd',
    '..\\..\\windows\\win.ini',
    'contract\u202Efdp.exe',
    'a\u0000b',
    "' OR 1=1 --",
    '"; DROP TABLE users; --',
    '%00',
    '${jndi:ldap://x}',
    '{{7*7}}',
    '\uFEFF\u200B',
    '__proto__',
    '𝕳𝖊𝖑𝖑𝖔 😀',
    'NaN',
    '-1',
    '1e309',
    '2026-13-45T99:99:99Z',
  ),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.integer({ min: 1000, max: 200_000 }).map((n) => 'x'.repeat(n)),
);

/** Values of any JSON type, including the ones JavaScript treats specially. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  fc.constantFrom(null, true, false, 0, -0, -1, 2 ** 53, -(2 ** 63), 1e308, 0.1, [], {}, [[[[[[[[[[[]]]]]]]]]]]),
  fc.jsonValue({ maxDepth: 3 }),
  fc.constant(JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}')),
  fc.integer({ min: 20, max: 2000 }).map((depth) => JSON.parse('['.repeat(depth) + ']'.repeat(depth))),
);

function stringArbitrary(schema: JsonSchema): fc.Arbitrary<string> {
  const minLength = schema.minLength ?? 0;
  const maxLength = Math.min(schema.maxLength ?? 40, Math.max(minLength, 40));
  if (schema.format === 'date-time' || schema.format === 'datetime') return fc.date({ noInvalidDate: true }).map((d) => d.toISOString());
  if (schema.format === 'uuid') return fc.uuid();
  if (schema.pattern) {
    try {
      return fc.stringMatching(new RegExp(schema.pattern, 'u')).filter((s) => s.length >= minLength && s.length <= (schema.maxLength ?? Infinity));
    } catch {
      // a pattern fast-check cannot read: plain strings then
    }
  }
  return fc.string({ minLength, maxLength });
}

/** An arbitrary of values the schema describes (zod's JSON Schema of an operation's input). */
export function fromJsonSchema(schema: JsonSchema | boolean | undefined, depth = 0): fc.Arbitrary<unknown> {
  if (schema === undefined || schema === true || depth > 6) return fc.jsonValue({ maxDepth: 2 });
  if (schema === false) return fc.constant(null);
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const union = schema.anyOf ?? schema.oneOf;
  if (union?.length) return fc.oneof(...union.map((s) => fromJsonSchema(s, depth + 1)));
  if (schema.allOf?.length) return fromJsonSchema(schema.allOf[0], depth + 1);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'string':
      return stringArbitrary(schema);
    case 'integer': {
      const min = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? Math.floor(schema.exclusiveMinimum) + 1 : -1000);
      const max = schema.maximum ?? (schema.exclusiveMaximum !== undefined ? Math.ceil(schema.exclusiveMaximum) - 1 : 100_000);
      return fc.oneof(fc.integer({ min: Math.max(min, -1e9), max: Math.min(max, Math.max(min, 0) + 1000) }), fc.integer({ min: Math.max(min, -1e9), max: Math.min(max, 1e9) }));
    }
    case 'number':
      return fc.double({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6, noNaN: true, noDefaultInfinity: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      const item = schema.prefixItems ? fc.tuple(...schema.prefixItems.map((s) => fromJsonSchema(s, depth + 1))) : null;
      if (item) return item;
      return fc.array(fromJsonSchema(schema.items, depth + 1), { minLength: schema.minItems ?? 0, maxLength: Math.min(schema.maxItems ?? 5, 5) });
    }
    case 'object': {
      const properties = schema.properties ?? {};
      const required = new Set(schema.required ?? []);
      const shape: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [key, value] of Object.entries(properties)) shape[key] = fromJsonSchema(value, depth + 1);
      return fc.record(shape, { requiredKeys: [...required].filter((k) => k in properties) }) as fc.Arbitrary<unknown>;
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** Inputs for an operation: mostly as its contract describes them (so the handler runs), some hostile. */
export function inputsFor(schema: z.ZodType): { valid: fc.Arbitrary<unknown>; hostile: fc.Arbitrary<unknown> } {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const valid = fromJsonSchema(json);
  const hostile = fc.oneof(
    hostileValue,
    // a valid input with one field swapped for something hostile
    fc.tuple(valid, fc.string({ maxLength: 20 }), hostileValue).map(([input, key, bad]) => {
      if (!input || typeof input !== 'object' || Array.isArray(input)) return bad;
      const keys = Object.keys(input);
      const field = keys.length > 0 ? keys[key.length % keys.length]! : key;
      return { ...(input as Record<string, unknown>), [field]: bad };
    }),
    // unknown extra fields, including the prototype's
    valid.map((input) =>
      input && typeof input === 'object' && !Array.isArray(input)
        ? Object.assign(JSON.parse('{"__proto__": {"role": "admin"}, "constructor": {"prototype": {"role": "admin"}}}'), input, { extra: 1 })
        : input,
    ),
  );
  return { valid, hostile };
}
