/**
 * fast-check arbitraries of valid-looking inputs for a zod schema, by way of its JSON Schema
 * (`z.toJSONSchema`, input side). Only what the contract uses is understood: objects (strict
 * or records), strings (lengths, patterns, date-time, email, uri: on loopback), numbers and
 * integers with bounds, booleans, enums, consts, arrays and tuples, unions and null. An
 * `override` supplies its own arbitrary at any path (ids of existing rows). Refinements the JSON
 * Schema cannot say (a trimmed name, a time zone, "either this or that") are not followed:
 * such an input is answered `invalid_input`, which the fuzzer accepts.
 */
import fc from 'fast-check';
import { z } from 'zod';

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  propertyNames?: JsonSchema;
  items?: JsonSchema | false;
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
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  default?: unknown;
}

/** A path in the input: property names, and `*` for an array item or a record value. */
export type InputPath = readonly string[];

export interface ArbitraryOptions {
  /** An arbitrary to use at this path instead of the schema's (ids of existing rows, safe URLs). */
  override?: (path: InputPath, schema: JsonSchema) => fc.Arbitrary<unknown> | undefined;
  /** Longest string made where the schema allows more (default 40). */
  maxStringLength?: number;
  /** Most items made for an array or record where the schema allows more (default 4). */
  maxItems?: number;
}

export function jsonSchemaOf(schema: z.ZodType): JsonSchema {
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
}

/** Strings a careless client or a hostile one sends: emoji, right-to-left text, NUL, escapes. */
export const AWKWARD_STRINGS = [
  '',
  ' ',
  '  padded  ',
  '😀🏠📷',
  '👨‍👩‍👧‍👦',
  'مرحبا بالعالم',
  '\u202Eevil\u202C',
  'a\u0000b',
  '\u0000',
  '\ud800',
  'e\u0301',
  '\t\n\r',
  "'; DROP TABLE cameras; --",
  '" OR 1=1 --',
  '%s%n%x',
  '../../../etc/passwd',
  '${jndi:x}',
  '{cameraId}',
  '<script>alert(1)</script>',
  'NEAR(a b) OR "x',
  '*',
  'null',
  '__proto__',
];

/** The string cut or padded to the schema's lengths (in UTF-16 units, as zod counts them). */
function fit(s: string, min: number, max: number): string {
  const cut = s.length > max ? s.slice(0, max) : s;
  return cut.length < min ? cut + 'x'.repeat(min - cut.length) : cut;
}

function stringArbitrary(s: JsonSchema, o: Required<Omit<ArbitraryOptions, 'override'>>) {
  if (s.format === 'date-time') {
    return fc
      .date({
        min: new Date('1970-01-01T00:00:00Z'),
        max: new Date('2100-01-01T00:00:00Z'),
        noInvalidDate: true,
      })
      .chain((d) =>
        fc.constantFrom(
          d.toISOString(),
          d.toISOString().replace('Z', '+02:00'),
          d.toISOString().replace(/\.\d+Z$/, 'Z'),
        ),
      );
  }
  if (s.pattern) {
    const min = s.minLength ?? 0;
    const max = s.maxLength ?? Infinity;
    return fc
      .stringMatching(new RegExp(s.pattern))
      .filter((v) => v.length >= min && v.length <= max);
  }
  if (s.format === 'email') return fc.emailAddress();
  if (s.format === 'uri') {
    // Loopback only: a fuzzed address never reaches another machine.
    return fc
      .tuple(fc.constantFrom('http', 'https', 'mqtt', 'ws'), fc.webPath())
      .map(([scheme, p]) => `${scheme}://127.0.0.1:1${p}`);
  }
  const min = s.minLength ?? 0;
  const max = Math.min(s.maxLength ?? o.maxStringLength, Math.max(min, o.maxStringLength));
  return fc
    .oneof(
      { arbitrary: fc.string({ minLength: min, maxLength: max }), weight: 4 },
      { arbitrary: fc.string({ unit: 'grapheme', minLength: min, maxLength: max }), weight: 2 },
      { arbitrary: fc.string({ unit: 'binary', minLength: min, maxLength: max }), weight: 1 },
      { arbitrary: fc.constantFrom(...AWKWARD_STRINGS), weight: 2 },
    )
    .map((v) => fit(v, min, max));
}

function numberArbitrary(s: JsonSchema): fc.Arbitrary<number> {
  const min = s.minimum ?? s.exclusiveMinimum ?? -1e9;
  const max = s.maximum ?? s.exclusiveMaximum ?? 1e9;
  const open = (v: number) => v !== s.exclusiveMinimum && v !== s.exclusiveMaximum;
  if (s.type === 'integer') {
    const lo = Math.max(Math.ceil(min), -0x80000000);
    const hi = Math.min(Math.floor(max), 0x7fffffff);
    return fc.oneof(fc.integer({ min: lo, max: hi }), fc.constantFrom(lo, hi)).filter(open);
  }
  return fc
    .oneof(
      fc.double({ min, max, noNaN: true, noDefaultInfinity: true }),
      fc.constantFrom(min, max, (min + max) / 2),
    )
    .filter(open);
}

/** An arbitrary of inputs the JSON Schema accepts (or nearly: see the module comment). */
export function arbitraryFor(
  schema: JsonSchema,
  options: ArbitraryOptions = {},
  path: InputPath = [],
): fc.Arbitrary<unknown> {
  const o = { maxStringLength: 40, maxItems: 4, ...options };
  const overridden = options.override?.(path, schema);
  if (overridden) return overridden;
  const recurse = (s: JsonSchema, p: InputPath) => arbitraryFor(s, options, p);

  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const union = schema.anyOf ?? schema.oneOf;
  if (union) return fc.oneof(...union.map((s) => recurse(s, path)));
  if (schema.allOf) return recurse(Object.assign({}, ...schema.allOf) as JsonSchema, path);
  if (Array.isArray(schema.type)) {
    return fc.oneof(...schema.type.map((type) => recurse({ ...schema, type }, path)));
  }

  switch (schema.type) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'string':
      return stringArbitrary(schema, o);
    case 'number':
    case 'integer':
      return numberArbitrary(schema);
    case 'array': {
      if (schema.prefixItems) return fc.tuple(...schema.prefixItems.map((s) => recurse(s, path)));
      const items = schema.items || {};
      const minLength = schema.minItems ?? 0;
      const maxLength = Math.min(schema.maxItems ?? Infinity, minLength + o.maxItems);
      return fc.array(recurse(items, [...path, '*']), { minLength, maxLength });
    }
    case 'object': {
      const props = schema.properties ?? {};
      const known = fc.record(
        Object.fromEntries(Object.entries(props).map(([k, s]) => [k, recurse(s, [...path, k])])),
        { requiredKeys: schema.required ?? [] },
      );
      const extra = schema.additionalProperties;
      if (typeof extra !== 'object') return known;
      const keys = recurse({ type: 'string', ...schema.propertyNames }, [...path, '*key']);
      const record = fc.dictionary(keys as fc.Arbitrary<string>, recurse(extra, [...path, '*']), {
        maxKeys: o.maxItems,
      });
      // Named properties win over record keys of the same name.
      return fc.tuple(record, known).map(([r, k]) => ({ ...r, ...(k as object) }));
    }
    default:
      // Anything (z.unknown()): a small JSON value.
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** Valid-looking inputs for a zod schema. */
export function zodArbitrary(schema: z.ZodType, options: ArbitraryOptions = {}) {
  return arbitraryFor(jsonSchemaOf(schema), options);
}
