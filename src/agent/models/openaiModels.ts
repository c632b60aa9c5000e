/**
 * The models an OpenAI-compatible server offers (`GET /v1/models`: Ollama, LM Studio, llama.cpp, vLLM,
 * OpenAI), as model strings of the same kind and server as the one asked about, for the model picker.
 */
import { z } from 'zod';
import type { ModelChoice } from '../sessionConfig';
import type { ModelLister } from './catalog';
import { parseOpenAiSpec, type Env } from './openaiSpec';

const ModelList = z.object({ data: z.array(z.looseObject({ id: z.string().min(1).max(512) })).max(1000) });

export function openAiModelLister(env: Env): ModelLister {
  return async (spec, signal) => {
    const { endpoint } = parseOpenAiSpec(spec, env);
    const response = await fetch(`${endpoint.baseURL}/models`, { headers: { authorization: `Bearer ${endpoint.apiKey}` }, signal });
    if (!response.ok) return [];
    const list = ModelList.safeParse(await response.json());
    if (!list.success) return [];
    const query = spec.includes('?') ? spec.slice(spec.indexOf('?')) : '';
    const where = endpoint.provider === 'ollama' ? 'Ollama' : endpoint.provider === 'openai' ? 'OpenAI' : endpoint.baseURL;
    return list.data.data.map((m): ModelChoice => ({ value: `${sameServer(spec, endpoint.baseURL)}${m.id}${query}`, name: m.id, description: where }));
  };
}

/** The model-string prefix that names the same server: `local:http://host:port/v1/` keeps its URL. */
function sameServer(spec: string, baseURL: string): string {
  const kind = spec.split(/[:?]/, 1)[0];
  return kind === 'local' && /^local:https?:\/\//.test(spec) ? `local:${baseURL}/` : `${kind}:`;
}
