import assert from 'node:assert/strict';
import { LanguageModelProviderError, type LanguageModelProvider, type LmRequest, type LmResponsePart } from '../../../src/agent/models/languageModelProvider';
import { ModelRegistry } from '../../../src/agent/models/registry';
import { ModelError, type ChatMessage, type ModelEvent } from '../../../src/agent/models/types';
import { VSCODE_LM_PREFIX, toLmMessages, vscodeLmFactory } from '../../../src/agent/models/vscodeLm';

class FakeProvider implements LanguageModelProvider {
  readonly requests: LmRequest[] = [];
  imagesSupported = false;
  constructor(private readonly respond: (request: LmRequest) => AsyncIterable<LmResponsePart> | Error) {}
  async models() {
    return [{ family: 'gpt-4o', name: 'GPT-4o', maxInputTokens: 64_000 }];
  }
  async send(request: LmRequest): Promise<AsyncIterable<LmResponsePart>> {
    this.requests.push(request);
    const answer = this.respond(request);
    if (answer instanceof Error) throw answer;
    return answer;
  }
}

async function* parts(...list: LmResponsePart[]): AsyncIterable<LmResponsePart> {
  for (const p of list) yield p;
}

async function collect(iterable: AsyncIterable<ModelEvent>): Promise<ModelEvent[]> {
  const out: ModelEvent[] = [];
  for await (const e of iterable) out.push(e);
  return out;
}

describe('VS Code language models (fake provider)', () => {
  const tools = [{ name: 'read_file', description: 'read', parameters: { type: 'object' } }];

  it('is reached through the registry once registered, with the family from the model string', async () => {
    const provider = new FakeProvider(() => parts({ type: 'text', text: 'Hi ' }, { type: 'tool_call', callId: 'c1', name: 'read_file', input: { path: 'a.ts' } }));
    const registry = new ModelRegistry();
    registry.register(VSCODE_LM_PREFIX, vscodeLmFactory(provider));
    const model = registry.create('vscode-lm:gpt-4o');
    const events = await collect(model.stream({ messages: [{ role: 'user', content: 'q' }], tools, signal: new AbortController().signal }));
    assert.deepEqual(events, [
      { type: 'text', text: 'Hi ' },
      { type: 'tool_call', call: { id: 'c1', name: 'read_file', arguments: '{"path":"a.ts"}' } },
    ]);
    assert.equal(provider.requests[0].family, 'gpt-4o');
    assert.deepEqual(provider.requests[0].tools, tools);
    registry.create('vscode-lm');
    await collect(registry.create('vscode-lm').stream({ messages: [], tools: [], signal: new AbortController().signal }));
    assert.equal(provider.requests[1].family, undefined);
  });

  it('shapes the conversation for the LM API: system as user text, tool calls and results as parts, roles merged', () => {
    const messages: ChatMessage[] = [
      { role: 'system', content: 'sys' },
      { role: 'user', content: 'q' },
      { role: 'assistant', content: 'let me look', toolCalls: [{ id: 'c1', name: 'read_file', arguments: '{"path":"a"}' }, { id: 'c2', name: 'x', arguments: 'not json' }] },
      { role: 'tool', toolCallId: 'c1', content: 'A' },
      { role: 'tool', toolCallId: 'c2', content: 'B' },
      { role: 'assistant', content: 'done' },
    ];
    assert.deepEqual(toLmMessages(messages), [
      { role: 'user', parts: [{ type: 'text', text: 'sys' }, { type: 'text', text: 'q' }] },
      {
        role: 'assistant',
        parts: [
          { type: 'text', text: 'let me look' },
          { type: 'tool_call', callId: 'c1', name: 'read_file', input: { path: 'a' } },
          { type: 'tool_call', callId: 'c2', name: 'x', input: {} },
        ],
      },
      { role: 'user', parts: [{ type: 'tool_result', callId: 'c1', text: 'A' }, { type: 'tool_result', callId: 'c2', text: 'B' }] },
      { role: 'assistant', parts: [{ type: 'text', text: 'done' }] },
    ]);
  });

  for (const [code, message] of [
    ['NoModel', /no VS Code language model "gpt-9" is available — install and sign in to a chat model extension \(e\.g\. GitHub Copilot\), or check the family name/],
    ['NoPermissions', /VS Code did not allow Punie to use the VS Code language model "gpt-9" — accept the access prompt/],
    ['Blocked', /refused the request \(quota or rate limit\): over quota/],
    ['Unknown', /the VS Code language model "gpt-9" failed: over quota/],
  ] as const) {
    it(`turns provider error ${code} into an actionable ModelError`, async () => {
      const registry = new ModelRegistry();
      registry.register(VSCODE_LM_PREFIX, vscodeLmFactory(new FakeProvider(() => new LanguageModelProviderError(code, 'over quota'))));
      await assert.rejects(collect(registry.create('vscode-lm:gpt-9').stream({ messages: [], tools: [], signal: new AbortController().signal })), (err: Error) => err instanceof ModelError && message.test(err.message));
    });
  }

  it('ends with an AbortError when aborted mid-stream, and the provider sees the signal', async () => {
    const controller = new AbortController();
    const provider = new FakeProvider((request) =>
      (async function* () {
        yield { type: 'text', text: 'a' } as LmResponsePart;
        controller.abort();
        assert.ok(request.signal.aborted);
        yield { type: 'text', text: 'b' } as LmResponsePart;
      })(),
    );
    const registry = new ModelRegistry();
    registry.register(VSCODE_LM_PREFIX, vscodeLmFactory(provider));
    const seen: ModelEvent[] = [];
    await assert.rejects(
      (async () => {
        for await (const e of registry.create('vscode-lm').stream({ messages: [], tools: [], signal: controller.signal })) seen.push(e);
      })(),
      (err: Error) => err.name === 'AbortError',
    );
    assert.deepEqual(seen, [{ type: 'text', text: 'a' }]);
  });
});
