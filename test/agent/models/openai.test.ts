import assert from 'node:assert/strict';
import { freePort } from '../../helpers/freePort';
import { OpenAiChatModel, type OpenAiModelOptions } from '../../../src/agent/models/openai';
import type { OpenAiEndpoint } from '../../../src/agent/models/openaiSpec';
import { ModelError, type ModelEvent, type ModelRequest } from '../../../src/agent/models/types';
import { chunk, FakeOpenAi, textStream, toolCallChunks, toolCallStream } from '../../fixtures/fakeOpenAi';

const fast: OpenAiModelOptions = { connectTimeoutMs: 2000, inactivityTimeoutMs: 2000, maxRetries: 0 };

function request(overrides: Partial<ModelRequest> = {}): ModelRequest {
  return { messages: [{ role: 'user', content: 'hi' }], tools: [], signal: new AbortController().signal, ...overrides };
}

async function collect(model: OpenAiChatModel, req = request()): Promise<ModelEvent[]> {
  const events: ModelEvent[] = [];
  for await (const e of model.stream(req)) events.push(e);
  return events;
}

async function failure(model: OpenAiChatModel, req = request()): Promise<ModelError> {
  try {
    await collect(model, req);
  } catch (err) {
    assert.ok(err instanceof ModelError, `expected a ModelError, got ${String(err)}`);
    return err;
  }
  assert.fail('the stream should have failed');
}

describe('OpenAI-compatible model (fake server)', () => {
  let fake: FakeOpenAi;
  let endpoint: OpenAiEndpoint;
  const model = (options: Partial<OpenAiModelOptions> = {}, ep: Partial<OpenAiEndpoint> = {}) =>
    new OpenAiChatModel('local:test', { ...endpoint, ...ep }, { ...fast, ...options });

  beforeEach(async () => {
    fake = await FakeOpenAi.start();
    endpoint = { provider: 'local', baseURL: fake.baseURL, model: 'fake-model', apiKey: 'k' };
  });
  afterEach(() => fake.close());

  it('streams text deltas in order and sends model, messages and stream:true (no tools when none)', async () => {
    fake.reply(textStream('Hel', 'lo ', 'world'));
    const events = await collect(model());
    assert.deepEqual(events, [
      { type: 'text', text: 'Hel' },
      { type: 'text', text: 'lo ' },
      { type: 'text', text: 'world' },
    ]);
    const sent = fake.requests[0];
    assert.equal(sent.model, 'fake-model');
    assert.equal(sent.stream, true);
    assert.deepEqual(sent.messages, [{ role: 'user', content: 'hi' }]);
    assert.equal(sent.tools, undefined);
  });

  it('joins tool-call arguments split across many deltas and sends the tools and the history', async () => {
    const args = JSON.stringify({ path: 'src/some/long/path/name.ts', line: 10, limit: 20 });
    fake.reply({ kind: 'stream', chunks: [...toolCallChunks(0, 'call_a', 'read_file', args, 2), chunk({}, 'tool_calls')] });
    const tools = [{ name: 'read_file', description: 'read', parameters: { type: 'object', properties: {} } }];
    const messages = [
      { role: 'system' as const, content: 'sys' },
      { role: 'user' as const, content: 'q' },
      { role: 'assistant' as const, content: '', toolCalls: [{ id: 'c0', name: 'read_file', arguments: '{"path":"a"}' }] },
      { role: 'tool' as const, toolCallId: 'c0', content: 'file a' },
    ];
    const events = await collect(model(), request({ tools, messages }));
    assert.ok(args.length / 2 > 20, 'the arguments really come in many pieces');
    assert.deepEqual(events, [{ type: 'tool_call', call: { id: 'call_a', name: 'read_file', arguments: args } }]);
    const sent = fake.requests[0];
    assert.deepEqual(sent.tools, [{ type: 'function', function: { name: 'read_file', description: 'read', parameters: { type: 'object', properties: {} } } }]);
    assert.deepEqual(sent.messages[2], { role: 'assistant', content: null, tool_calls: [{ id: 'c0', type: 'function', function: { name: 'read_file', arguments: '{"path":"a"}' } }] });
    assert.deepEqual(sent.messages[3], { role: 'tool', tool_call_id: 'c0', content: 'file a' });
  });

  it('keeps parallel tool calls apart by index, in index order, even when their deltas interleave', async () => {
    const a = toolCallChunks(0, 'call_0', 'read_file', '{"path":"a.txt"}');
    const b = toolCallChunks(1, 'call_1', 'run_command', '{"command":"ls -la"}');
    const interleaved: object[] = [];
    for (let i = 0; i < Math.max(a.length, b.length); i++) interleaved.push(...(b[i] ? [b[i]] : []), ...(a[i] ? [a[i]] : []));
    fake.reply({ kind: 'stream', chunks: [...interleaved, chunk({}, 'tool_calls')] });
    const events = await collect(model());
    assert.deepEqual(events, [
      { type: 'tool_call', call: { id: 'call_0', name: 'read_file', arguments: '{"path":"a.txt"}' } },
      { type: 'tool_call', call: { id: 'call_1', name: 'run_command', arguments: '{"command":"ls -la"}' } },
    ]);
  });

  it('gives missing tool-call ids a stable fallback', async () => {
    fake.reply({ kind: 'stream', chunks: [chunk({ tool_calls: [{ index: 0, function: { name: 'x', arguments: '{}' } }] })] });
    const events = await collect(model());
    assert.deepEqual(events, [{ type: 'tool_call', call: { id: 'call_0', name: 'x', arguments: '{}' } }]);
  });

  it('turns reasoning fields and inline <think> tags into thoughts', async () => {
    fake.reply({
      kind: 'stream',
      chunks: [chunk({ reasoning_content: 'plan A' }), chunk({ reasoning: ' then B' }), chunk({ content: '<thi' }), chunk({ content: 'nk>hmm</think>Answer' }), chunk({}, 'stop')],
    });
    const events = await collect(model());
    assert.deepEqual(events, [
      { type: 'thought', text: 'plan A' },
      { type: 'thought', text: ' then B' },
      { type: 'thought', text: 'hmm' },
      { type: 'text', text: 'Answer' },
    ]);
  });

  it('reports finish_reason length as max_tokens and a refusal as refusal', async () => {
    fake.reply({ kind: 'stream', chunks: [chunk({ content: 'cut' }), chunk({}, 'length')] }, { kind: 'stream', chunks: [chunk({ refusal: 'I cannot help with that.' }), chunk({}, 'stop')] });
    assert.deepEqual((await collect(model())).at(-1), { type: 'finish', reason: 'max_tokens' });
    assert.deepEqual(await collect(model()), [
      { type: 'text', text: 'I cannot help with that.' },
      { type: 'finish', reason: 'refusal' },
    ]);
  });

  it('fails with the HTTP status and a body excerpt on 500', async () => {
    fake.reply({ kind: 'status', status: 500, body: 'CUDA out of memory while loading the model' });
    const err = await failure(model());
    assert.match(err.message, /^the model server at http:\/\/127\.0\.0\.1:\d+\/v1 answered HTTP 500: CUDA out of memory while loading the model — the model server failed/);
  });

  it('fails with a rate-limit hint on 429, quoting a JSON error body', async () => {
    fake.reply({ kind: 'status', status: 429, contentType: 'application/json', body: JSON.stringify({ error: { message: 'Rate limit reached for requests' } }) });
    const err = await failure(model());
    assert.match(err.message, /answered HTTP 429: .*Rate limit reached for requests.* — rate limited or out of quota; wait a moment and try again/);
  });

  it('cuts a long error body to an excerpt', async () => {
    fake.reply({ kind: 'status', status: 502, body: 'x'.repeat(5000) });
    const err = await failure(model());
    assert.ok(err.message.length < 500, err.message);
    assert.match(err.message, /HTTP 502: x{200}…/);
  });

  it('tells to pull the model on an Ollama 404', async () => {
    fake.reply({ kind: 'status', status: 404, contentType: 'application/json', body: JSON.stringify({ error: { message: 'model "llama9" not found, try pulling it first' } }) });
    const err = await failure(model({}, { provider: 'ollama', model: 'llama9' }));
    assert.match(err.message, /^Ollama at http:\/\/127\.0\.0\.1:\d+ answered HTTP 404: model "llama9" not found.* — is the model pulled\? Run `ollama pull llama9`$/);
  });

  it('says Ollama is not running when the connection is refused', async () => {
    const port = await freePort();
    const started = Date.now();
    const err = await failure(model({}, { provider: 'ollama', baseURL: `http://127.0.0.1:${port}/v1` }));
    assert.match(err.message, new RegExp(`^cannot reach Ollama at http://127\\.0\\.0\\.1:${port} — is \`ollama serve\` running\\? \\(.*ECONNREFUSED`));
    assert.ok(Date.now() - started < 2000, 'a refused connection fails at once');
  });

  it('says the local server is not running when the connection is refused', async () => {
    const port = await freePort();
    const err = await failure(model({}, { baseURL: `http://127.0.0.1:${port}/v1` }));
    assert.match(err.message, /^cannot reach the model server at http:\/\/127\.0\.0\.1:\d+\/v1 — is it running\? \(LM Studio, llama\.cpp, vLLM or mlx_lm\)/);
  });

  it('fails clearly on a malformed stream', async () => {
    fake.reply({ kind: 'stream', chunks: [chunk({ content: 'ok' }), '{"choices": [not json'] });
    const err = await failure(model());
    assert.match(err.message, /sent a malformed stream \(.+\) — is http:\/\/127\.0\.0\.1:\d+\/v1 an OpenAI-compatible \/v1 endpoint\?/);
  });

  it('fails clearly on an error event in the middle of the stream', async () => {
    fake.reply({ kind: 'stream', chunks: [chunk({ content: 'par' }), { error: { message: 'server overloaded' } }] });
    const err = await failure(model());
    assert.match(err.message, /reported an error in the middle of the answer: server overloaded/);
  });

  it('fails clearly when the connection drops in the middle of the answer', async () => {
    fake.reply({ kind: 'stream', chunks: [chunk({ content: 'par' })], end: 'destroy' });
    const err = await failure(model());
    assert.match(err.message, /closed the connection in the middle of the answer/);
  });

  it('gives up after the inactivity timeout when the stream goes silent', async () => {
    fake.reply({ kind: 'stream', chunks: [chunk({ content: 'first' })], end: 'hang' });
    const started = Date.now();
    const err = await failure(model({ inactivityTimeoutMs: 150 }));
    assert.match(err.message, /sent nothing for 150 ms in the middle of the answer; gave up/);
    assert.ok(Date.now() - started < 3000);
    await fake.aborted[0];
  });

  it('gives up after the connect timeout when the server never answers', async () => {
    fake.reply({ kind: 'silent' });
    const err = await failure(model({ connectTimeoutMs: 150 }));
    assert.match(err.message, /^no answer from the model server at .* within 150 ms — is the model still loading\?/);
  });

  it('aborts mid-stream: the iteration ends with an AbortError and the HTTP request is closed', async () => {
    fake.reply({ kind: 'stream', chunks: [chunk({ content: 'one' }), chunk({ content: 'two' })], end: 'hang' });
    const controller = new AbortController();
    const seen: ModelEvent[] = [];
    const started = Date.now();
    await assert.rejects(
      (async () => {
        for await (const e of model().stream(request({ signal: controller.signal }))) {
          seen.push(e);
          if (seen.length === 2) controller.abort();
        }
      })(),
      (err: Error) => err.name === 'AbortError',
    );
    assert.ok(Date.now() - started < 2000);
    assert.deepEqual(seen.map((e) => (e as { text: string }).text), ['one', 'two']);
    await fake.aborted[0];
  });

  it('retries a 500 when retries are configured, then streams', async () => {
    fake.reply({ kind: 'status', status: 500, body: 'flaky' }, textStream('fine'));
    const events = await collect(model({ maxRetries: 1 }));
    assert.deepEqual(events, [{ type: 'text', text: 'fine' }]);
    assert.equal(fake.requests.length, 2);
  });

  it('streams one tool call per model response as separate events with toolCallStream', async () => {
    fake.reply(toolCallStream([{ id: 'a', name: 'list_files', args: {} }]));
    assert.deepEqual(await collect(model()), [{ type: 'tool_call', call: { id: 'a', name: 'list_files', arguments: '{}' } }]);
  });
});
