/**
 * The fuzz frames and what the server must answer to each. Protocol frames start from a valid request
 * generated from the zod schemas of src/protocol/acp.ts and are then broken; the expected error code
 * comes from the same schema (invalid params → -32602), from the JSON-RPC envelope rules, or from the
 * byte-level construction (truncated or non-JSON text → -32700).
 */
import { z } from 'zod';
import * as acp from '../../src/protocol/acp';
import { LEGACY_METHODS, camelizeParams } from '../../src/protocol/punie';
import { MAX_PARAMS_VALUES } from '../../src/server/limits';
import { MAX_JSON_DEPTH } from '../../src/transport/jsonLimits';
import { Rng, deepText, generate, mutate, PROTOTYPE_KEYS, randomJson, setOwn, type Json, type JsonSchema } from './generate';

export type Endpoint = 'ws' | 'acp';

export type Expectation =
  | { reply: 'codes'; id: string | number; codes: number[]; orResult: boolean }
  | { reply: 'null-id'; code: number }
  | { reply: 'none' };

export interface FuzzFrame {
  data: string | Buffer;
  binary: boolean;
  category: string;
  expect: Expectation;
}

export const SCHEMAS: Record<string, z.ZodType> = {
  [acp.Methods.initialize]: acp.InitializeRequest,
  [acp.Methods.authenticate]: z.unknown(),
  [acp.Methods.sessionNew]: acp.NewSessionRequest,
  [acp.Methods.sessionLoad]: acp.LoadSessionRequest,
  [acp.Methods.sessionResume]: acp.ResumeSessionRequest,
  [acp.Methods.sessionList]: acp.ListSessionsRequest,
  [acp.Methods.sessionPrompt]: acp.PromptRequest,
  [acp.Methods.sessionCancel]: acp.CancelNotification,
  [acp.Methods.sessionSetMode]: acp.SetModeRequest,
  [acp.Methods.sessionClose]: acp.SessionIdOnly,
};
export const METHODS = Object.keys(SCHEMAS);
export const JSON_SCHEMAS = Object.fromEntries(METHODS.map((m) => [m, z.toJSONSchema(SCHEMAS[m], { io: 'input', unrepresentable: 'any' }) as JsonSchema]));
/** Methods the fuzzer may aim at the harness's own session without breaking the check that follows. */
const SAFE_WITH_REAL_SESSION = new Set<string>([acp.Methods.sessionPrompt, acp.Methods.sessionSetMode, acp.Methods.sessionLoad, acp.Methods.sessionList]);

/** What the server must answer to a request with this method and params. */
export function expectationFor(endpoint: Endpoint, id: string | number, method: string, params: unknown, realSessionId = ''): Expectation {
  if (params !== undefined && params !== null && typeof params !== 'object') return { reply: 'codes', id, codes: [-32600], orResult: false };
  const canonical = endpoint === 'ws' && Object.hasOwn(LEGACY_METHODS, method) ? LEGACY_METHODS[method] : method;
  const schema = Object.hasOwn(SCHEMAS, canonical) ? SCHEMAS[canonical] : undefined;
  if (!schema) {
    const echoed = endpoint === 'ws' && canonical.startsWith('_');
    return { reply: 'codes', id, codes: echoed ? [] : [-32601], orResult: echoed };
  }
  let normalized = endpoint === 'ws' ? camelizeParams(params ?? {}) : (params ?? {});
  if (endpoint === 'ws' && canonical === acp.Methods.initialize) normalized = { protocolVersion: acp.PROTOCOL_VERSION, ...(normalized as object) };
  if (!schema.safeParse(normalized).success) return { reply: 'codes', id, codes: [-32602], orResult: false };
  return { reply: 'codes', id, ...validOutcome(canonical, normalized as Record<string, unknown>, realSessionId) };
}

/** What a request with valid params may get: a result, or the one domain error its content calls for. */
function validOutcome(method: string, params: Record<string, unknown>, realSessionId: string): { codes: number[]; orResult: boolean } {
  const M = acp.Methods;
  const meta = params._meta as Record<string, unknown> | undefined;
  switch (method) {
    case M.sessionNew:
      // A session limit, or a `_meta.model` that names no model.
      return { codes: typeof meta?.model === 'string' ? [-32030, -32602] : [-32030], orResult: true };
    case M.sessionPrompt:
    case M.sessionSetMode:
    case M.sessionLoad:
    case M.sessionResume:
    case M.sessionCancel:
    case M.sessionClose:
      if (params.sessionId !== realSessionId) return { codes: [-32002], orResult: false };
      if (method === M.sessionPrompt) return { codes: [-32600], orResult: true }; // another fuzz prompt may be running
      if (method === M.sessionSetMode) return { codes: [-32602], orResult: true }; // unknown mode
      return { codes: typeof meta?.resume_token === 'string' ? [-32602] : [], orResult: true }; // wrong resume token
    default:
      return { codes: [], orResult: true };
  }
}

export class FrameFactory {
  private next = 0;

  constructor(
    private readonly rng: Rng,
    private readonly endpoint: Endpoint,
    private readonly realSessionId: () => string,
  ) {}

  frame(): FuzzFrame {
    const roll = this.rng.next();
    if (roll < 0.5) return this.schemaFrame(true);
    if (roll < 0.58) return this.schemaFrame(false);
    if (roll < 0.72) return this.envelopeFrame();
    if (roll < 0.77) return this.deepFrame();
    return this.rawFrame();
  }

  private newId(): string | number {
    const n = this.next++;
    return this.rng.chance(0.5) ? n : `fz-${n}`;
  }

  private methodName(): { method: string; canonical: string } {
    const canonical = this.rng.pick(METHODS);
    const legacy = Object.entries(LEGACY_METHODS).find(([, v]) => v === canonical)?.[0];
    // /ws takes legacy names; on /acp they are unknown methods, which is worth sending too.
    const method = legacy && this.rng.chance(this.endpoint === 'ws' ? 0.4 : 0.1) ? legacy : canonical;
    return { method, canonical };
  }

  /** A request (or notification) generated from the method's schema and then broken. */
  private schemaFrame(asRequest: boolean): FuzzFrame {
    const { method, canonical } = this.methodName();
    const useReal = asRequest && SAFE_WITH_REAL_SESSION.has(canonical) && this.rng.chance(0.15);
    const strings = (key: string) => (key === 'sessionId' ? (useReal ? this.realSessionId() : `punie-session-${this.rng.string(6)}`) : undefined);
    const params = generate(JSON_SCHEMAS[canonical], this.rng, strings) as Record<string, Json>;
    if (canonical === acp.Methods.sessionPrompt && useReal && this.rng.chance(0.5)) params.prompt = [{ type: 'text', text: 'fuzz' }];
    const mutations = 1 + this.rng.int(3);
    for (let i = 0; i < mutations; i++) mutate(params, this.rng);
    if (this.endpoint === 'ws' && this.rng.chance(0.3)) snakeCase(params);
    if (!asRequest) {
      // A notification is never answered, unless it is not a valid JSON-RPC message at all.
      const primitive = params !== null && typeof params !== 'object';
      const expect: Expectation = primitive ? { reply: 'null-id', code: -32600 } : { reply: 'none' };
      return { data: JSON.stringify({ jsonrpc: '2.0', method, params }), binary: false, category: 'schema-notification', expect };
    }
    const id = this.newId();
    const data = JSON.stringify({ jsonrpc: '2.0', id, method, params });
    // Judge what goes over the wire, as the server will parse it.
    return { data, binary: false, category: 'schema-request', expect: expectationFor(this.endpoint, id, method, JSON.parse(data).params, this.realSessionId()) };
  }

  /** A broken JSON-RPC envelope: wrong id, method or params types, unknown or prototype method names. */
  private envelopeFrame(): FuzzFrame {
    const id = this.newId();
    const text = (value: object) => JSON.stringify(value);
    switch (this.rng.int(7)) {
      case 0: {
        const badId = this.rng.pick<Json>([true, {}, [1], { id: 1 }]);
        return { data: text({ jsonrpc: '2.0', id: badId, method: 'initialize', params: {} }), binary: false, category: 'bad-id', expect: { reply: 'null-id', code: -32600 } };
      }
      case 1: {
        const badMethod = this.rng.pick<Json>([1, null, true, [], {}, '']);
        return { data: text({ jsonrpc: '2.0', id, method: badMethod }), binary: false, category: 'bad-method', expect: { reply: 'codes', id, codes: [-32600], orResult: false } };
      }
      case 2: {
        const badParams = this.rng.pick<Json>([1, 'params', true]);
        return { data: text({ jsonrpc: '2.0', id, method: 'session/new', params: badParams }), binary: false, category: 'bad-params', expect: { reply: 'codes', id, codes: [-32600], orResult: false } };
      }
      case 3: {
        const method = this.rng.pick([...PROTOTYPE_KEYS, 'session/constructor', `no_such_${this.rng.string(5)}`, '_punie/echo']);
        return { data: text({ jsonrpc: '2.0', id, method, params: {} }), binary: false, category: 'unknown-method', expect: expectationFor(this.endpoint, id, method, {}) };
      }
      case 4:
        return {
          data: text({ jsonrpc: '2.0', id, method: 'x'.repeat(300 + this.rng.int(1000)) }),
          binary: false,
          category: 'long-method',
          expect: { reply: 'codes', id, codes: [-32600], orResult: false },
        };
      case 5: {
        const many = Array(MAX_PARAMS_VALUES + this.rng.int(20_000)).fill(this.rng.pick([1, 'x', null]));
        const method = this.rng.pick(METHODS);
        return { data: text({ jsonrpc: '2.0', id, method, params: { sessionId: 's', prompt: many } }), binary: false, category: 'many-values', expect: { reply: 'codes', id, codes: [-32600], orResult: false } };
      }
      default: {
        const params: Record<string, Json> = {};
        setOwn(params, '__proto__', { polluted: true });
        setOwn(params, 'constructor', { prototype: { polluted: true } });
        const method = this.rng.pick(METHODS);
        const data = text({ jsonrpc: '2.0', id, method, params });
        return { data, binary: false, category: 'prototype-keys', expect: expectationFor(this.endpoint, id, method, JSON.parse(data).params, this.realSessionId()) };
      }
    }
  }

  private deepFrame(): FuzzFrame {
    const id = this.newId();
    const depth = MAX_JSON_DEPTH + this.rng.int(20_000);
    // An echo of deep params used to overflow JSON.stringify when answering, and take the process down.
    const method = this.rng.pick(['session/prompt', '_punie/echo', 'initialize']);
    const data = `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"method":"${method}","params":{"sessionId":"s","prompt":[],"_meta":${deepText(depth, this.rng.chance(0.5))}}}`;
    return { data, binary: false, category: 'deep', expect: { reply: 'codes', id, codes: [-32600], orResult: false } };
  }

  /** Bytes and text that are not a JSON-RPC message at all. */
  private rawFrame(): FuzzFrame {
    switch (this.rng.int(5)) {
      case 0: {
        const whole = JSON.stringify({ jsonrpc: '2.0', id: this.newId(), method: 'session/new', params: { cwd: '/w', mcpServers: [] } });
        return { data: whole.slice(0, 1 + this.rng.int(whole.length - 1)), binary: false, category: 'truncated', expect: { reply: 'null-id', code: -32700 } };
      }
      case 1: {
        const bytes = Buffer.from(Array.from({ length: 1 + this.rng.int(64) }, () => this.rng.int(256)));
        bytes[0] = this.rng.pick([0x00, 0x01, 0x7f, 0x80, 0xc3, 0xff, 0x3c, 0x41]); // never a JSON start
        // Binary frames are decoded as UTF-8 on /ws and ignored on /acp.
        return { data: bytes, binary: true, category: 'raw-bytes', expect: this.endpoint === 'ws' ? { reply: 'null-id', code: -32700 } : { reply: 'none' } };
      }
      case 2:
        return { data: `#${this.rng.string(40)}`, binary: false, category: 'garbage-text', expect: { reply: 'null-id', code: -32700 } };
      case 3:
        return { data: JSON.stringify(randomScalarOrArray(this.rng)), binary: false, category: 'not-an-object', expect: { reply: 'null-id', code: -32600 } };
      default:
        return { data: this.rng.pick(['', ' ', '\n\t ']), binary: false, category: 'empty', expect: { reply: 'none' } };
    }
  }
}

function randomScalarOrArray(rng: Rng): Json {
  const value = randomJson(rng, 1);
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? [value] : value;
}

/** Renames camelCase keys to snake_case as Punie's Python clients send them (/ws only). */
function snakeCase(value: Json): void {
  if (value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) return value.forEach(snakeCase);
  for (const key of Object.keys(value)) {
    snakeCase(value[key]);
    const snake = key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    if (snake !== key && key !== '_meta' && !Object.hasOwn(value, snake)) {
      setOwn(value, snake, value[key]);
      delete value[key];
    }
  }
}
