/**
 * Seeded generation for the fuzz test: a PRNG, valid values built from the JSON Schema that zod derives
 * from the protocol schemas, and mutations that break them (wrong types, missing fields, extra fields
 * including prototype keys, huge strings).
 */

/** mulberry32: small, fast, and the same sequence for the same seed on every machine. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(maxExclusive: number): number {
    return Math.floor(this.next() * maxExclusive);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  string(maxLength = 12): string {
    let out = '';
    const length = this.int(maxLength + 1);
    for (let i = 0; i < length; i++) out += this.pick(TOKENS);
    return out;
  }
}

/** Characters for generated strings: ASCII, escapes, control characters, and multi-byte UTF-8. */
const TOKENS = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-/ .:"\\', '\u00e9', '\u4e2d', '\ud83d\ude00', '\u0000', '\n', '\u2028'];

export type JsonSchema = {
  type?: string | string[];
  const?: unknown;
  enum?: unknown[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  minimum?: number;
};

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Any JSON value, at most `depth` levels deep. */
export function randomJson(rng: Rng, depth = 2): Json {
  const kind = depth <= 0 ? rng.int(4) : rng.int(6);
  switch (kind) {
    case 0:
      return null;
    case 1:
      return rng.chance(0.5);
    case 2:
      return rng.pick([0, -1, 1.5, 2 ** 53, -(2 ** 31), 1e308, rng.int(1000)]);
    case 3:
      return rng.string();
    case 4:
      return Array.from({ length: rng.int(3) }, () => randomJson(rng, depth - 1));
    default:
      return Object.fromEntries(Array.from({ length: rng.int(3) }, () => [rng.string(6), randomJson(rng, depth - 1)]));
  }
}

/** A value that satisfies `schema`; `strings` may supply values for named properties (session ids). */
export function generate(schema: JsonSchema, rng: Rng, strings: (key: string) => string | undefined, key = '', optional = 0.3): Json {
  if (schema.const !== undefined) return schema.const as Json;
  if (schema.enum) return rng.pick(schema.enum) as Json;
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return generate(rng.pick(alternatives), rng, strings, key, optional);
  const type = Array.isArray(schema.type) ? rng.pick(schema.type) : schema.type;
  switch (type) {
    case undefined:
      return randomJson(rng);
    case 'null':
      return null;
    case 'boolean':
      return rng.chance(0.5);
    case 'integer':
      return rng.int(1000);
    case 'number':
      return rng.next() * 1000;
    case 'string':
      return strings(key) ?? rng.string();
    case 'array':
      return Array.from({ length: 1 + rng.int(2) }, () => generate(schema.items ?? {}, rng, strings, key, optional));
    default: {
      const out: Record<string, Json> = {};
      for (const [name, property] of Object.entries(schema.properties ?? {})) {
        if (schema.required?.includes(name) || rng.chance(optional)) out[name] = generate(property, rng, strings, name, optional);
      }
      return out;
    }
  }
}

/** Every place in a value: the containers and keys (or indices) below the root. */
export function slots(value: Json): { parent: Json[] | Record<string, Json>; key: string | number }[] {
  const out: { parent: Json[] | Record<string, Json>; key: string | number }[] = [];
  const walk = (v: Json) => {
    if (v === null || typeof v !== 'object') return;
    for (const [k, child] of Object.entries(v)) {
      out.push({ parent: v, key: Array.isArray(v) ? Number(k) : k });
      walk(child);
    }
  };
  walk(value);
  return out;
}

function containers(value: Json): Record<string, Json>[] {
  const out: Record<string, Json>[] = [];
  const walk = (v: Json) => {
    if (v === null || typeof v !== 'object') return;
    if (!Array.isArray(v)) out.push(v);
    Object.values(v).forEach(walk);
  };
  walk(value);
  return out;
}

export const typeOf = (v: Json) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/** A JSON value of a different type than `current`. */
export function wrongTypeFor(current: Json, rng: Rng): Json {
  const candidates: Json[] = [null, true, 42, -1.5, 'wrong', [], [1, 'x'], {}, { nested: { deeper: [null] } }];
  const others = candidates.filter((c) => typeOf(c) !== typeOf(current));
  return rng.pick(others);
}

export const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '__defineGetter__'];

/** Adds an own property even for `__proto__`, so that JSON.stringify sends it. */
export function setOwn(target: Record<string, Json>, key: string, value: Json): void {
  Object.defineProperty(target, key, { value, enumerable: true, configurable: true, writable: true });
}

export type Mutation = 'wrong-type' | 'missing-field' | 'extra-field' | 'huge-string';

/** Applies one mutation in place (the root itself is never replaced); returns which one. */
export function mutate(value: Json, rng: Rng): Mutation {
  const places = slots(value);
  const objects = containers(value);
  const roll = rng.next();
  if (roll < 0.45 && places.length > 0) {
    const { parent, key } = rng.pick(places);
    (parent as Record<string, Json>)[key] = wrongTypeFor((parent as Record<string, Json>)[key], rng);
    return 'wrong-type';
  }
  const withKeys = objects.filter((o) => Object.keys(o).length > 0);
  if (roll < 0.7 && withKeys.length > 0) {
    const target = rng.pick(withKeys);
    delete target[rng.pick(Object.keys(target))];
    return 'missing-field';
  }
  const strings = places.filter(({ parent, key }) => typeof (parent as Record<string, Json>)[key] === 'string');
  if (roll > 0.97 && strings.length > 0) {
    const { parent, key } = rng.pick(strings);
    (parent as Record<string, Json>)[key] = 'x'.repeat(16_384 + rng.int(48_000));
    return 'huge-string';
  }
  const target = objects.length > 0 ? rng.pick(objects) : undefined;
  if (target) {
    const existing = Object.keys(target);
    const snake = existing.length > 0 ? rng.pick(existing).replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`) : 'extra_field';
    setOwn(target, rng.pick([...PROTOTYPE_KEYS, snake, rng.string(8)]), randomJson(rng));
  }
  return 'extra-field';
}

/** Objects nested `depth` levels (built as text, so generating it never recurses). */
export function deepText(depth: number, array: boolean): string {
  return array ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}
