import assert from 'node:assert/strict';
import { endpointLabel } from '../../../src/agent/models/openaiErrors';
import { defaultOpenAiTimeouts, parseOpenAiSpec } from '../../../src/agent/models/openaiSpec';
import { ModelRegistry } from '../../../src/agent/models/registry';
import { ModelError } from '../../../src/agent/models/types';

describe('OpenAI-compatible model strings', () => {
  const env = { OPENAI_API_KEY: 'sk-test' };

  it('ollama:<model> goes to localhost:11434/v1 and is labelled for messages', () => {
    const { endpoint, timeouts } = parseOpenAiSpec('ollama:llama3.2', env);
    assert.deepEqual(endpoint, { provider: 'ollama', baseURL: 'http://localhost:11434/v1', model: 'llama3.2', apiKey: 'ollama' });
    assert.deepEqual(timeouts, defaultOpenAiTimeouts);
    assert.equal(endpointLabel(endpoint), 'Ollama at http://localhost:11434');
  });

  it('keeps model names with a tag or colon (ollama:qwen2.5-coder:7b)', () => {
    assert.equal(parseOpenAiSpec('ollama:qwen2.5-coder:7b', env).endpoint.model, 'qwen2.5-coder:7b');
  });

  // Each provider form is asserted whole (deepEqual of its endpoint) so a changed default shows in the diff.
  it('local:http://host:port/v1/<model> splits at /v1/ (Punie format), model names may hold slashes', () => {
    assert.deepEqual(parseOpenAiSpec('local:http://localhost:5001/v1/default', env).endpoint, {
      provider: 'local',
      baseURL: 'http://localhost:5001/v1',
      model: 'default',
      apiKey: 'local',
    });
    const mlx = parseOpenAiSpec('local:http://127.0.0.1:8080/v1/mlx-community/Qwen3-4B-4bit', env).endpoint;
    assert.equal(mlx.baseURL, 'http://127.0.0.1:8080/v1');
    assert.equal(mlx.model, 'mlx-community/Qwen3-4B-4bit');
    const noV1 = parseOpenAiSpec('local:http://gpu-box:9000/api/qwen', env).endpoint;
    assert.deepEqual([noV1.baseURL, noV1.model], ['http://gpu-box:9000/api', 'qwen']);
  });

  it('local alone or local:<model> means LM Studio on localhost:1234', () => {
    assert.deepEqual(parseOpenAiSpec('local', env).endpoint, { provider: 'local', baseURL: 'http://localhost:1234/v1', model: 'default', apiKey: 'local' });
    assert.equal(parseOpenAiSpec('local:phi-4', env).endpoint.model, 'phi-4');
  });

  it('openai:<model> takes the key (and base URL) from the environment', () => {
    assert.deepEqual(parseOpenAiSpec('openai:gpt-4o-mini', env).endpoint, {
      provider: 'openai',
      baseURL: 'https://api.openai.com/v1',
      model: 'gpt-4o-mini',
      apiKey: 'sk-test',
    });
    assert.equal(parseOpenAiSpec('openai:m', { ...env, OPENAI_BASE_URL: 'http://127.0.0.1:9/v1/' }).endpoint.baseURL, 'http://127.0.0.1:9/v1');
  });

  it('parses timeout options after ?', () => {
    assert.deepEqual(parseOpenAiSpec('ollama:x?connectTimeoutMs=500&inactivityTimeoutMs=700', env).timeouts, { connectTimeoutMs: 500, inactivityTimeoutMs: 700 });
  });

  for (const [spec, message] of [
    ['openai:gpt-4o', /needs an API key: set OPENAI_API_KEY in the environment of the Punie server/],
    ['ollama:', /needs a model name, e.g. ollama:llama3.2/],
    ['openai:', /needs a model name/],
    ['local:http://[bad/v1/x', /invalid URL; expected local:http:\/\/host:port\/v1\/<model>/],
    ['local:http://host:1/v1/', /names no model/],
    ['ollama:x?timeout=5', /Unknown option "timeout"/],
    ['ollama:x?connectTimeoutMs=-1', /connectTimeoutMs=-1 .* must be an integer from 1 to 3600000/],
  ] as const) {
    it(`rejects ${spec} with an actionable message`, () => {
      assert.throws(() => parseOpenAiSpec(spec, spec === 'openai:gpt-4o' ? {} : env), (err: Error) => err instanceof ModelError && message.test(err.message));
    });
  }

  it('the registry makes every model kind and names the known kinds for unknown ones', () => {
    const registry = new ModelRegistry({ env });
    for (const spec of ['test', 'test:tools', 'test?chunks=2', 'ollama:llama3.2', 'local', 'local:http://127.0.0.1:1/v1/m', 'openai:gpt-4o']) {
      assert.equal(registry.create(spec).id, spec);
    }
    assert.throws(() => registry.create('gpt:4'), /Unknown model "gpt:4"\. Known kinds: test, ollama, local, openai, vscode-lm/);
    assert.throws(() => registry.create('test:other'), /Unknown test model "test:other"/);
    assert.throws(() => new ModelRegistry({ env: {} }).create('openai:gpt-4o'), /OPENAI_API_KEY/);
  });

  it('vscode-lm outside the extension host fails with a clear message', () => {
    assert.throws(() => new ModelRegistry().create('vscode-lm:gpt-4o'), /vscode-lm models are available only when the Punie server runs inside VS Code/);
  });
});
