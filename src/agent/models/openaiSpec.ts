/**
 * Model strings of OpenAI-compatible servers: `ollama:<model>` (http://localhost:11434/v1),
 * `local` / `local:<model>` (LM Studio at http://localhost:1234/v1), `local:http://host:port/v1/<model>`
 * (any server: LM Studio, llama.cpp, vLLM, mlx_lm — Punie's format), and `openai:<model>` with OPENAI_API_KEY (and optionally OPENAI_BASE_URL) from the environment.
 * A `?connectTimeoutMs=…&inactivityTimeoutMs=…` suffix tunes the timeouts. An API key goes only to the base
 * URL it was configured for: PUNIE_LOCAL_API_KEY to PUNIE_LOCAL_BASE_URL (default LM Studio's), OPENAI_API_KEY
 * to OPENAI_BASE_URL; a model string naming another URL gets a placeholder key.
 */
import { ModelError } from './types';

export type Provider = 'ollama' | 'local' | 'openai';

export interface OpenAiEndpoint {
  provider: Provider;
  baseURL: string;
  model: string;
  apiKey: string;
}

export interface OpenAiTimeouts {
  /** Until the server answers the request (connect and response headers; a model still loading counts). */
  connectTimeoutMs: number;
  /** Longest silence between two pieces of a streamed answer. */
  inactivityTimeoutMs: number;
}

export const defaultOpenAiTimeouts: OpenAiTimeouts = { connectTimeoutMs: 120_000, inactivityTimeoutMs: 120_000 };

export const OLLAMA_BASE_URL = 'http://localhost:11434/v1';
export const LM_STUDIO_BASE_URL = 'http://localhost:1234/v1';
const OPENAI_BASE_URL = 'https://api.openai.com/v1';

export type Env = Record<string, string | undefined>;

export function parseOpenAiSpec(spec: string, env: Env): { endpoint: OpenAiEndpoint; timeouts: OpenAiTimeouts } {
  const q = spec.indexOf('?');
  const body = q === -1 ? spec : spec.slice(0, q);
  const timeouts = parseTimeouts(q === -1 ? '' : spec.slice(q + 1), spec);
  const colon = body.indexOf(':');
  const provider = colon === -1 ? body : body.slice(0, colon);
  const rest = colon === -1 ? '' : body.slice(colon + 1);
  if (provider === 'ollama') {
    if (!rest) throw new ModelError(`"${spec}" needs a model name, e.g. ollama:llama3.2 (see \`ollama list\`)`);
    return { endpoint: { provider, baseURL: OLLAMA_BASE_URL, model: rest, apiKey: 'ollama' }, timeouts };
  }
  if (provider === 'local') {
    const target = localTarget(rest, spec);
    const keyFor = trimSlash(env.PUNIE_LOCAL_BASE_URL || LM_STUDIO_BASE_URL);
    const apiKey = (target.baseURL === keyFor && env.PUNIE_LOCAL_API_KEY) || 'local';
    return { endpoint: { provider, ...target, apiKey }, timeouts };
  }
  if (provider === 'openai') {
    if (!rest) throw new ModelError(`"${spec}" needs a model name, e.g. openai:gpt-4o-mini`);
    const apiKey = env.OPENAI_API_KEY;
    if (!apiKey) throw new ModelError(`${spec} needs an API key: set OPENAI_API_KEY in the environment of the Punie server`);
    return { endpoint: { provider, baseURL: trimSlash(env.OPENAI_BASE_URL || OPENAI_BASE_URL), model: rest, apiKey }, timeouts };
  }
  throw new ModelError(`"${spec}" is not an OpenAI-compatible model string (ollama:<model>, local:<url>/<model>, openai:<model>)`);
}

/** `local:http://host:port/v1/<model>`: the model is what follows `/v1/` (it may contain slashes), else the last segment. */
function localTarget(rest: string, spec: string): { baseURL: string; model: string } {
  if (!rest) return { baseURL: LM_STUDIO_BASE_URL, model: 'default' };
  if (!/^https?:\/\//.test(rest)) return { baseURL: LM_STUDIO_BASE_URL, model: rest };
  let url: URL;
  try {
    url = new URL(rest);
  } catch {
    throw new ModelError(`"${spec}" has an invalid URL; expected local:http://host:port/v1/<model>`);
  }
  const path = url.pathname;
  const v1 = path.indexOf('/v1/');
  const cut = v1 !== -1 ? v1 + 3 : path.lastIndexOf('/');
  const model = decodeURIComponent(path.slice(cut + 1));
  if (!model) throw new ModelError(`"${spec}" names no model; expected local:http://host:port/v1/<model>`);
  return { baseURL: trimSlash(`${url.origin}${path.slice(0, cut)}`), model };
}

function parseTimeouts(query: string, spec: string): OpenAiTimeouts {
  const params = new URLSearchParams(query);
  const timeouts = { ...defaultOpenAiTimeouts };
  for (const [key, raw] of params) {
    if (key !== 'connectTimeoutMs' && key !== 'inactivityTimeoutMs') {
      throw new ModelError(`Unknown option "${key}" in "${spec}" (known: connectTimeoutMs, inactivityTimeoutMs)`);
    }
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1 || value > 3_600_000) throw new ModelError(`${key}=${raw} in "${spec}" must be an integer from 1 to 3600000`);
    timeouts[key] = value;
  }
  return timeouts;
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
