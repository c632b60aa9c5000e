import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PunieServer } from '../../src/server/server';
import { chunk, FakeOpenAi, textStream, toolCallChunks, toolCallStream, type Reply } from '../fixtures/fakeOpenAi';
import { TestAcpClient } from '../helpers/acpClient';
import { startServer } from '../helpers/server';

describe('agent with an OpenAI-compatible model end to end (fake model server, real agent server)', () => {
  let server: PunieServer;
  let fake: FakeOpenAi;
  let client: TestAcpClient;
  let dir: string;

  beforeEach(async () => {
    server = await startServer({ allowedModels: ['local:*'] });
    fake = await FakeOpenAi.start();
    client = await TestAcpClient.connect(server.urls().acp);
    dir = await mkdtemp(join(tmpdir(), 'punie-oai-'));
    await writeFile(join(dir, 'main.py'), 'print("hi")\n');
  });
  afterEach(async () => {
    await client.close();
    await server.close();
    await fake.close();
    await rm(dir, { recursive: true, force: true });
  });

  const spec = () => `local:${fake.baseURL}/qwen2.5-coder`;

  it('reads, writes and runs through the client, then answers with the results in context', async () => {
    fake.reply(
      // Step 1: two parallel calls, their arguments in many small deltas.
      {
        kind: 'stream',
        chunks: [
          chunk({ role: 'assistant', content: 'Let me check. ' }),
          ...toolCallChunks(0, 'call_r', 'read_file', JSON.stringify({ path: 'main.py' })),
          ...toolCallChunks(1, 'call_c', 'run_command', JSON.stringify({ command: 'node -e "console.log(6*7)"' })),
          chunk({}, 'tool_calls'),
        ],
      },
      toolCallStream([{ id: 'call_w', name: 'write_file', args: { path: 'main.py', content: 'print("hello")\n' } }]),
      textStream('Updated ', 'main.py; ', 'the answer is 42.'),
    );
    const sessionId = await client.newSession(dir, spec());
    assert.equal(await client.prompt(sessionId, 'Fix main.py'), 'end_turn');

    assert.equal(await readFile(join(dir, 'main.py'), 'utf8'), 'print("hello")\n');
    const calls = client.toolCalls(sessionId);
    assert.deepEqual(calls.map((c) => [c.kind, c.status]), [
      ['read', 'completed'],
      ['execute', 'completed'],
      ['edit', 'completed'],
    ]);
    assert.equal(client.agentText(sessionId), 'Let me check. Updated main.py; the answer is 42.');

    assert.equal(fake.requests.length, 3);
    const second = fake.requests[1];
    assert.equal(second.model, 'qwen2.5-coder');
    assert.deepEqual(second.tools.map((t: any) => t.function.name), ['read_file', 'edit_file', 'write_file', 'run_command', 'list_files', 'search_text']);
    const results = second.messages.filter((m: any) => m.role === 'tool');
    assert.deepEqual(results[0], { role: 'tool', tool_call_id: 'call_r', content: 'print("hi")\n' });
    assert.equal(results[1].tool_call_id, 'call_c');
    assert.match(results[1].content, /exited with code 0\.\n42/);
    const third = fake.requests[2].messages.at(-1);
    assert.deepEqual(third, { role: 'tool', tool_call_id: 'call_w', content: `Wrote 15 characters to ${join(dir, 'main.py')}.` });
  });

  it('streams a paced answer chunk by chunk, and a burst read at once as fewer chunks, in order', async () => {
    const pieces = Array.from({ length: 20 }, (_, i) => `w${i} `);
    fake.reply({ ...(textStream(...pieces) as Extract<Reply, { kind: 'stream' }>), delayMs: 10 }, textStream(...pieces));
    const paced = await client.newSession(dir, spec());
    await client.prompt(paced, 'talk');
    const chunks = (id: string) => client.sessionUpdates(id).filter((u) => u.sessionUpdate === 'agent_message_chunk').length;
    // One update per piece unless the process stalled past a 10 ms gap (then the pieces read together merge).
    assert.ok(chunks(paced) >= 15, `${chunks(paced)} updates for 20 paced pieces`);
    assert.equal(client.agentText(paced), pieces.join(''));
    const burst = await client.newSession(dir, spec());
    await client.prompt(burst, 'talk');
    assert.ok(chunks(burst) < 20, `${chunks(burst)} updates for 20 pieces in one write`);
    assert.equal(client.agentText(burst), pieces.join(''));
  });

  it('cancel mid-stream aborts the model request and answers cancelled fast', async () => {
    fake.reply({ kind: 'stream', chunks: [chunk({ content: 'thinking about it' })], end: 'hang' });
    const sessionId = await client.newSession(dir, spec());
    const prompt = client.prompt(sessionId, 'long answer please');
    while (!client.agentText(sessionId)) await new Promise((r) => setTimeout(r, 5));
    const started = Date.now();
    await client.cancel(sessionId);
    assert.equal(await prompt, 'cancelled');
    assert.ok(Date.now() - started < 500, `cancelled after ${Date.now() - started} ms`);
    await fake.aborted[0];
  });

  it('an HTTP error from the model server fails the prompt with status and body excerpt', async () => {
    fake.reply({ kind: 'status', status: 503, body: 'model is loading' }, { kind: 'status', status: 503, body: 'model is loading' });
    const sessionId = await client.newSession(dir, spec());
    await assert.rejects(client.prompt(sessionId, 'hi'), (err: any) => {
      assert.equal(err.code, -32603);
      assert.match(err.message, /answered HTTP 503: model is loading — the model server failed; its log says why/);
      return true;
    });
  });
});
