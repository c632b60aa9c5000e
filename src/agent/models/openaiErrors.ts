/** Turns what the openai SDK throws into a ModelError that says what happened and what to do. */
import { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';
import type { OpenAiEndpoint, OpenAiTimeouts } from './openaiSpec';
import { ModelError } from './types';

/** A model server's error text reaches the client, so only a short, flattened piece of it. */
const EXCERPT = 200;

/** Where the model lives, for messages: "Ollama at http://localhost:11434". */
export function endpointLabel(endpoint: OpenAiEndpoint): string {
  if (endpoint.provider === 'ollama') return `Ollama at ${new URL(endpoint.baseURL).origin}`;
  if (endpoint.provider === 'openai') return `the OpenAI API at ${endpoint.baseURL}`;
  return `the model server at ${endpoint.baseURL}`;
}

export function inactivityError(endpoint: OpenAiEndpoint, timeouts: OpenAiTimeouts): ModelError {
  return new ModelError(
    `${endpointLabel(endpoint)} sent nothing for ${seconds(timeouts.inactivityTimeoutMs)} in the middle of the answer; gave up ` +
      `(raise it with ?inactivityTimeoutMs=… on the model string if the model is just slow)`,
  );
}

/**
 * `bodies` holds the start of each failed response body, keyed by its headers (see the fetch wrapper);
 * `streaming` says the answer had started, so a broken connection is a drop, not an unreachable server.
 */
export function describeModelFailure(
  err: unknown,
  endpoint: OpenAiEndpoint,
  timeouts: OpenAiTimeouts,
  bodies: WeakMap<object, string>,
  streaming: boolean,
): ModelError {
  const label = endpointLabel(endpoint);
  if (err instanceof ModelError) return err;
  if (streaming && !(err instanceof APIError) && !(err instanceof SyntaxError)) {
    return new ModelError(`${label} closed the connection in the middle of the answer (${causeText(err) || errorMessage(err)}) — check the server's log`);
  }
  if (err instanceof APIConnectionTimeoutError) {
    const hint = endpoint.provider === 'openai' ? '' : ' — is the model still loading? Raise it with ?connectTimeoutMs=… on the model string';
    return new ModelError(`no answer from ${label} within ${seconds(timeouts.connectTimeoutMs)}${hint}`);
  }
  if (err instanceof APIConnectionError) {
    if (streaming) return new ModelError(`${label} closed the connection in the middle of the answer (${causeText(err)}) — check the server's log`);
    return new ModelError(unreachable(endpoint, label, causeText(err)));
  }
  if (err instanceof APIError && err.status) {
    const raw = err.headers && bodies.get(err.headers);
    const body = (raw && jsonErrorMessage(raw)) || raw || err.message.replace(/^\d{3}\s*/, '');
    return new ModelError(`${label} answered HTTP ${err.status}: ${excerpt(body)}${statusHint(err.status, endpoint)}`);
  }
  if (err instanceof APIError) return new ModelError(`${label} reported an error in the middle of the answer: ${excerpt(err.message)}`);
  if (err instanceof SyntaxError) {
    return new ModelError(`${label} sent a malformed stream (${excerpt(err.message)}) — is ${endpoint.baseURL} an OpenAI-compatible /v1 endpoint?`);
  }
  return new ModelError(`${label} failed: ${excerpt(errorMessage(err))}`);
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The message inside a JSON error body (`{"error":{"message"}}`, `{"error":"…"}`, `{"message"}`, `{"detail"}`). */
function jsonErrorMessage(body: string): string | undefined {
  try {
    const json = JSON.parse(body) as { error?: { message?: unknown } | string; message?: unknown; detail?: unknown };
    const found = typeof json.error === 'string' ? json.error : (json.error?.message ?? json.message ?? json.detail);
    return typeof found === 'string' ? found : undefined;
  } catch {
    return undefined;
  }
}

function unreachable(endpoint: OpenAiEndpoint, label: string, cause: string): string {
  const why = cause ? ` (${cause})` : '';
  if (endpoint.provider === 'ollama') return `cannot reach ${label} — is \`ollama serve\` running?${why}`;
  if (endpoint.provider === 'local') return `cannot reach ${label} — is it running? (LM Studio, llama.cpp, vLLM or mlx_lm)${why}`;
  return `cannot reach ${label} — check the network and OPENAI_BASE_URL${why}`;
}

function statusHint(status: number, endpoint: OpenAiEndpoint): string {
  if (status === 401 || status === 403) return endpoint.provider === 'openai' ? ' — check OPENAI_API_KEY' : ' — the server refused the API key';
  if (status === 404) {
    return endpoint.provider === 'ollama'
      ? ` — is the model pulled? Run \`ollama pull ${endpoint.model}\``
      : ` — check the model name "${endpoint.model}" and that the URL ends in /v1`;
  }
  if (status === 429) return ' — rate limited or out of quota; wait a moment and try again';
  if (status >= 500) return ' — the model server failed; its log says why';
  return '';
}

/** The innermost cause's code and message: "ECONNREFUSED connect ECONNREFUSED 127.0.0.1:11434". */
function causeText(err: unknown): string {
  let current: unknown = err;
  let text = '';
  for (let depth = 0; current instanceof Error && depth < 5; depth++) {
    const code = (current as NodeJS.ErrnoException).code;
    if (code || current !== err) text = [code, current.message].filter(Boolean).join(' ');
    current = (current as { cause?: unknown }).cause;
  }
  return text;
}

function excerpt(text: string): string {
  // Control and bidi characters could forge lines or reorder what the user reads.
  const flat = text.replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]+/g, ' ').replace(/\s+/g, ' ').trim();
  return flat.length > EXCERPT ? `${flat.slice(0, EXCERPT)}…` : flat || '(empty body)';
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
