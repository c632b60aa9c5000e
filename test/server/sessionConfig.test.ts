import assert from 'node:assert/strict';
import type { PunieServer } from '../../src/server/server';
import { chunk, FakeOpenAi, textStream } from '../fixtures/fakeOpenAi';
import { RawClient, startServer } from '../helpers/server';

describe('session config options (model, mode), slash commands, usage', () => {
  let server: PunieServer;
  let fake: FakeOpenAi | undefined;
  let client: RawClient;
  afterEach(async () => {
    client?.close();
    await server.close();
    await fake?.close();
    fake = undefined;
  });

  async function open(model = 'test', allowedModels = ['local:*']): Promise<string> {
    server = await startServer({ model, allowedModels });
    client = await RawClient.connect(server.urls().acp);
    await client.call(1, 'initialize', { protocolVersion: 1 });
    const created = await client.call(2, 'session/new', { cwd: '/w', mcpServers: [] });
    assert.ok(created.result, JSON.stringify(created.error));
    return created.result.sessionId;
  }

  const option = (options: any[], id: string) => options.find((o) => o.id === id);

  it('session/new offers the model and mode as select options and advertises /model and /mode', async () => {
    const sid = await open();
    const created = client.messages.find((m) => m.id === 2).result;
    const model = option(created.configOptions, 'model');
    assert.equal(model.category, 'model');
    assert.equal(model.type, 'select');
    assert.equal(model.currentValue, 'test');
    assert.deepEqual(model.options.map((o: any) => o.value).slice(0, 2), ['test', 'test:tools']);
    assert.equal(option(created.configOptions, 'mode').category, 'mode');
    assert.equal(created.modes.currentModeId, 'default');
    const commands = await client.next((m) => m.params?.update?.sessionUpdate === 'available_commands_update');
    assert.equal(commands.params.sessionId, sid);
    assert.deepEqual(commands.params.update.availableCommands.map((c: any) => c.name), ['model', 'mode']);
  });

  it('set_config_option refuses a model the operator did not allow, and the session keeps its model', async () => {
    const sid = await open('test', []);
    const set = await client.call(3, 'session/set_config_option', { sessionId: sid, configId: 'model', value: 'local:http://127.0.0.1:9/v1/m' });
    assert.equal(set.error.code, -32602);
    assert.match(set.error.message, /not allowed on this server/);
    const prompt = await client.call(4, 'session/prompt', { sessionId: sid, prompt: [{ type: 'text', text: 'still test?' }] });
    assert.equal(prompt.result.stopReason, 'end_turn');
  });

  it('set_config_option changes the model in the same session and the conversation continues', async () => {
    fake = await FakeOpenAi.start();
    fake.reply(textStream('second answer'));
    const sid = await open();
    await client.call(3, 'session/prompt', { sessionId: sid, prompt: [{ type: 'text', text: 'first question' }] });
    const set = await client.call(4, 'session/set_config_option', { sessionId: sid, configId: 'model', value: `local:${fake.baseURL}/m1` });
    assert.equal(option(set.result.configOptions, 'model').currentValue, `local:${fake.baseURL}/m1`);
    const done = await client.call(5, 'session/prompt', { sessionId: sid, prompt: [{ type: 'text', text: 'second question' }] });
    assert.equal(done.result.stopReason, 'end_turn');
    const sent = fake.requests[0].messages.map((m: any) => m.content);
    assert.ok(sent.includes('first question') && sent.includes('second question'), 'the new model sees the earlier exchange');
  });

  it('refuses unknown options, models and modes, and boolean values, with -32602', async () => {
    const sid = await open();
    for (const [id, params] of [
      [3, { configId: 'colour', value: 'red' }],
      [4, { configId: 'model', value: 'nonsense:x' }],
      [5, { configId: 'mode', value: 'yolo' }],
      [6, { configId: 'mode', type: 'boolean', value: true }],
    ] as const) {
      const reply = await client.call(id, 'session/set_config_option', { sessionId: sid, ...params });
      assert.equal(reply.error?.code, -32602, JSON.stringify(reply));
    }
    const still = await client.call(7, 'session/set_config_option', { sessionId: sid, configId: 'mode', value: 'read-only' });
    assert.equal(option(still.result.configOptions, 'mode').currentValue, 'read-only');
    assert.equal(option(still.result.configOptions, 'model').currentValue, 'test');
  });

  it('lists the models an OpenAI-compatible server reports and sends them as config_option_update', async () => {
    fake = await FakeOpenAi.start();
    fake.models = ['qwen3:8b', 'llama3.2'];
    await open(`local:${fake.baseURL}/qwen3:8b`);
    const update = await client.next((m) => m.params?.update?.sessionUpdate === 'config_option_update');
    const values = option(update.params.update.configOptions, 'model').options.map((o: any) => o.value);
    assert.ok(values.includes(`local:${fake.baseURL}/llama3.2`), values.join(', '));
    assert.ok(values.includes('test'));
  });

  it('/model and /mode are answered by the agent: list without a name, switch with one, explain a bad one', async () => {
    const sid = await open();
    const ask = async (id: number, text: string) => {
      const before = client.messages.length;
      const reply = await client.call(id, 'session/prompt', { sessionId: sid, prompt: [{ type: 'text', text }] });
      assert.equal(reply.result.stopReason, 'end_turn');
      const said = client.messages.slice(before).filter((m) => m.params?.update?.sessionUpdate === 'agent_message_chunk');
      return { text: said.map((m) => m.params.update.content.text).join(''), updates: client.messages.slice(before) };
    };
    assert.match((await ask(3, '/model')).text, /`test:tools`/);
    const switched = await ask(4, '/model test:tools');
    assert.match(switched.text, /now `test:tools`/);
    assert.ok(switched.updates.some((m) => m.params?.update?.sessionUpdate === 'config_option_update'));
    assert.match((await ask(5, '/mode yolo')).text, /unchanged: Unknown mode "yolo"/);
    assert.match((await ask(6, '/mode read-only')).text, /now `read-only`/);
  });

  it('sends usage_update from the model’s usage and its server’s context size, and says so when the model cannot see an image', async () => {
    fake = await FakeOpenAi.start();
    fake.routes.set('GET /props', { default_generation_settings: { n_ctx: 32768 } }); // llama.cpp says its context size
    fake.reply({ kind: 'stream', chunks: [chunk({ content: 'ok' }), chunk({}, 'stop'), { id: 'x', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [], usage: { prompt_tokens: 40, completion_tokens: 2, total_tokens: 42 } }] });
    const sid = await open(`local:${fake.baseURL}/m`);
    const image = { type: 'image', data: Buffer.from('png').toString('base64'), mimeType: 'image/png' };
    await client.call(3, 'session/prompt', { sessionId: sid, prompt: [{ type: 'text', text: 'look' }, image] });
    const usage = client.updates(sid).find((m) => m.params.update.sessionUpdate === 'usage_update');
    assert.deepEqual([usage.params.update.used, usage.params.update.size], [42, 32768]);
    assert.equal(fake.requests[0].stream_options.include_usage, true);
    const content = fake.requests[0].messages.at(-1).content;
    assert.deepEqual(content[1], { type: 'image_url', image_url: { url: `data:image/png;base64,${image.data}` } });

    await client.call(4, 'session/set_config_option', { sessionId: sid, configId: 'model', value: 'test' });
    const before = client.messages.length;
    await client.call(5, 'session/prompt', { sessionId: sid, prompt: [{ type: 'text', text: 'and now?' }, image] });
    const first = client.messages.slice(before).find((m) => m.params?.update?.sessionUpdate === 'agent_message_chunk');
    assert.match(first.params.update.content.text, /model test cannot see images/);
    const testUsage = client.messages.slice(before).find((m) => m.params?.update?.sessionUpdate === 'usage_update');
    assert.equal(testUsage.params.update.size, 8192);
  });
});
