import assert from 'node:assert/strict';
import { ContextSizes, RETRY_UNKNOWN_MS } from '../../../src/agent/models/contextSize';
import { OpenAiChatModel } from '../../../src/agent/models/openai';
import type { OpenAiEndpoint, Provider } from '../../../src/agent/models/openaiSpec';
import type { ModelEvent } from '../../../src/agent/models/types';
import { chunk, FakeOpenAi } from '../../fixtures/fakeOpenAi';

describe('context size of OpenAI-compatible models (fake servers)', () => {
  let fake: FakeOpenAi;
  const endpoint = (provider: Provider = 'local'): OpenAiEndpoint => ({ provider, baseURL: fake.baseURL, model: 'qwen3:8b', apiKey: 'the-key' });
  beforeEach(async () => {
    fake = await FakeOpenAi.start();
  });
  afterEach(() => fake.close());

  it('reads Ollama /api/show model_info.<arch>.context_length, asking for the model', async () => {
    fake.routes.set('POST /api/show', { model_info: { 'general.architecture': 'qwen3', 'qwen3.context_length': 40960 } });
    assert.equal(await new ContextSizes().of(endpoint('ollama')), 40960);
    assert.equal(JSON.parse(fake.asked[0].body).model, 'qwen3:8b');
  });

  it('reads vLLM /v1/models max_model_len, LM Studio /api/v0/models and llama.cpp /props', async () => {
    fake.routes.set('GET /v1/models', { data: [{ id: 'other', max_model_len: 1 }, { id: 'qwen3:8b', max_model_len: 32768 }] });
    assert.equal(await new ContextSizes().of(endpoint()), 32768);
    fake.routes.delete('GET /v1/models');
    fake.routes.set('GET /api/v0/models', { data: [{ id: 'qwen3:8b', max_context_length: 131072 }] });
    assert.equal(await new ContextSizes().of(endpoint()), 131072);
    fake.routes.set('GET /api/v0/models', { data: [{ id: 'qwen3:8b', max_context_length: 131072, loaded_context_length: 8192 }] });
    assert.equal(await new ContextSizes().of(endpoint()), 8192, 'the loaded context is what the model has');
    fake.routes.delete('GET /api/v0/models');
    fake.routes.set('GET /props', { default_generation_settings: { n_ctx: 4096 } });
    assert.equal(await new ContextSizes().of(endpoint()), 4096);
    assert.ok(fake.asked.every((a) => a.authorization === 'Bearer the-key'), 'only the model’s own server is asked');
  });

  it('is undefined when no route says (or says nonsense), caches per model, and asks an unknown again later', async () => {
    let now = 0;
    const sizes = new ContextSizes(2000, () => now);
    fake.routes.set('GET /props', { default_generation_settings: { n_ctx: -5 } });
    assert.equal(await sizes.of(endpoint()), undefined);
    const asked = fake.asked.length;
    assert.equal(await sizes.of(endpoint()), undefined);
    assert.equal(fake.asked.length, asked, 'cached');
    fake.routes.set('GET /props', { default_generation_settings: { n_ctx: 2048 } });
    now += RETRY_UNKNOWN_MS + 1;
    assert.equal(await sizes.of(endpoint()), 2048);
    assert.equal(await sizes.of({ ...endpoint(), model: 'other' }), 2048, 'another model is asked on its own');
    assert.ok(fake.asked.length > asked);
  });

  it('gives up within its time bound when the server does not answer', async () => {
    fake.routes.set('GET /v1/models', null);
    const started = Date.now();
    assert.equal(await new ContextSizes(150).of(endpoint()), undefined);
    assert.ok(Date.now() - started < 1500, `took ${Date.now() - started} ms`);
  });

  it('the model reports the size with its usage; a server that never says does not hold up or break the answer', async () => {
    const usage = { id: 'x', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [], usage: { prompt_tokens: 40, completion_tokens: 2 } };
    const reply = { kind: 'stream' as const, chunks: [chunk({ content: 'ok' }), chunk({}, 'stop'), usage] };
    const collect = async (model: OpenAiChatModel) => {
      const events: ModelEvent[] = [];
      for await (const e of model.stream({ messages: [{ role: 'user', content: 'hi' }], tools: [], signal: new AbortController().signal })) events.push(e);
      return events;
    };
    const options = { connectTimeoutMs: 2000, inactivityTimeoutMs: 100, maxRetries: 0 };
    fake.routes.set('GET /props', { default_generation_settings: { n_ctx: 16384 } });
    fake.reply(reply);
    assert.deepEqual((await collect(new OpenAiChatModel('local:x', endpoint(), options, new ContextSizes()))).at(-1), { type: 'usage', inputTokens: 40, outputTokens: 2, contextSize: 16384 });
    fake.routes.set('GET /v1/models', null);
    fake.reply(reply);
    const events = await collect(new OpenAiChatModel('local:x', endpoint(), options, new ContextSizes(300)));
    assert.deepEqual(events, [{ type: 'text', text: 'ok' }, { type: 'usage', inputTokens: 40, outputTokens: 2 }], 'waiting on the size is not the server’s silence (inactivity 100 ms)');
  });
});
