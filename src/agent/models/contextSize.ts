/**
 * How large an OpenAI-compatible model's context is, so that the chat can show "used / size". The OpenAI
 * API does not say, but each local server does in its own way; we ask what the server answers, in turn:
 * Ollama `POST /api/show` (`model_info["<arch>.context_length"]`), vLLM `GET /v1/models` (`max_model_len`),
 * LM Studio `GET /api/v0/models` (`loaded_context_length`, else `max_context_length`), llama.cpp `GET /props`
 * (`default_generation_settings.n_ctx`). Only the model's own server is asked (its origin; the API key only
 * where it was configured: the base URL's server). Bounded in time, cached per server and model (an
 * unknown size is asked again after a while), and it never fails: an unknown size is `undefined`.
 */
import { z } from 'zod';
import type { OpenAiEndpoint } from './openaiSpec';

/** All the asking together, per model. */
export const PROBE_TIMEOUT_MS = 3000;
/** An unknown size (server down, no such route) is asked again after this long. */
export const RETRY_UNKNOWN_MS = 10 * 60 * 1000;
const MAX_CACHED = 100;
/** A JSON answer larger than this is not read (a model list, say). */
const MAX_BODY_CHARS = 1024 * 1024;

const Tokens = z.number().int().positive().max(100_000_000);
const OllamaShow = z.object({ model_info: z.record(z.string(), z.unknown()) });
const ModelList = z.object({ data: z.array(z.looseObject({ id: z.string() })) });
const LlamaProps = z.object({ default_generation_settings: z.object({ n_ctx: Tokens }) });

type Ask = { path: string; root: boolean; method?: 'POST'; body?: object; read(json: unknown, model: string): number | undefined };

const tokens = (value: unknown) => {
  const parsed = Tokens.safeParse(value);
  return parsed.success ? parsed.data : undefined;
};
const listed = (json: unknown, model: string, ...keys: string[]) => {
  const entry = ModelList.safeParse(json).data?.data.find((m) => m.id === model);
  return entry ? keys.map((k) => tokens(entry[k])).find((n) => n !== undefined) : undefined;
};

const OLLAMA: Ask = {
  path: '/api/show',
  root: true,
  method: 'POST',
  body: {},
  read: (json) => {
    const info = OllamaShow.safeParse(json).data?.model_info ?? {};
    return Object.entries(info)
      .filter(([key]) => key.endsWith('.context_length'))
      .map(([, value]) => tokens(value))
      .find((n) => n !== undefined);
  },
};
const VLLM: Ask = { path: '/models', root: false, read: (json, model) => listed(json, model, 'max_model_len') };
const LM_STUDIO: Ask = { path: '/api/v0/models', root: true, read: (json, model) => listed(json, model, 'loaded_context_length', 'max_context_length') };
const LLAMA_CPP: Ask = { path: '/props', root: true, read: (json) => LlamaProps.safeParse(json).data?.default_generation_settings.n_ctx };

/** What to ask, most likely first; OpenAI's own API has none of the local routes. */
function asksFor(endpoint: OpenAiEndpoint): Ask[] {
  if (endpoint.provider === 'ollama') return [OLLAMA, VLLM];
  if (endpoint.provider === 'openai') return [VLLM];
  return [VLLM, LM_STUDIO, LLAMA_CPP, OLLAMA];
}

export class ContextSizes {
  private readonly cache = new Map<string, { size: Promise<number | undefined>; at: number }>();

  constructor(
    private readonly timeoutMs = PROBE_TIMEOUT_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** The model's context size in tokens, or undefined when its server does not say (never rejects). */
  of(endpoint: OpenAiEndpoint): Promise<number | undefined> {
    const key = `${endpoint.baseURL}\n${endpoint.model}`;
    const cached = this.cache.get(key);
    if (cached) {
      this.cache.delete(key); // re-inserted below: the map stays in least-recently-used order
      this.cache.set(key, cached);
      return cached.size.then((size) => (size === undefined && this.now() - cached.at > RETRY_UNKNOWN_MS ? this.ask(key, endpoint) : size));
    }
    return this.ask(key, endpoint);
  }

  private ask(key: string, endpoint: OpenAiEndpoint): Promise<number | undefined> {
    const size = probe(endpoint, AbortSignal.timeout(this.timeoutMs)).catch(() => undefined);
    this.cache.delete(key);
    this.cache.set(key, { size, at: this.now() });
    if (this.cache.size > MAX_CACHED) this.cache.delete(this.cache.keys().next().value!);
    return size;
  }
}

async function probe(endpoint: OpenAiEndpoint, signal: AbortSignal): Promise<number | undefined> {
  const root = endpoint.baseURL.replace(/\/v1$/, '');
  for (const ask of asksFor(endpoint)) {
    if (signal.aborted) return undefined;
    const url = `${ask.root ? root : endpoint.baseURL}${ask.path}`;
    // The key goes to the server it was configured for: the base URL's origin.
    const headers: Record<string, string> = { authorization: `Bearer ${endpoint.apiKey}` };
    if (ask.body) headers['content-type'] = 'application/json';
    const body = ask.body ? JSON.stringify({ ...ask.body, model: endpoint.model, name: endpoint.model }) : undefined;
    try {
      const response = await fetch(url, { method: ask.method ?? 'GET', headers, body, signal, redirect: 'error' });
      if (!response.ok) continue;
      const text = await response.text();
      if (text.length > MAX_BODY_CHARS) continue;
      const size = ask.read(JSON.parse(text), endpoint.model);
      if (size !== undefined) return size;
    } catch {
      // Not this server's route, or it did not answer in time: try the next.
    }
  }
  return undefined;
}
