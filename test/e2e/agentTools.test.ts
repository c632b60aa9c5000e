import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PunieServer } from '../../src/server/server';
import { allowOnce, choose, AcpClients, waitForCancel } from '../helpers/acpClient';
import { defaultAgentSessionOptions } from '../../src/agent/session';
import { TEST_TOOLS_CALLS } from '../helpers/client';
import { RawClient, startServer } from '../helpers/server';

describe('agent tools end to end (real server, test ACP client)', () => {
  let server: PunieServer;
  let dir: string;
  const clients = new AcpClients(() => server.urls().acp);
  const connect = (options?: Parameters<AcpClients['connect']>[0]) => clients.connect(options);


  beforeEach(async () => {
    server = await startServer({ allowedModels: ['local:*', 'vscode-lm'] });
    dir = await mkdtemp(join(tmpdir(), 'punie-e2e-'));
    await writeFile(join(dir, 'README.md'), '# Demo project\n\nA small workspace.\n');
  });
  afterEach(async () => {
    await clients.closeAll();
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('test:tools reads a file, writes after permission and runs a command, all through the client', async () => {
    const client = await connect();
    const sessionId = await client.newSession(dir, 'test:tools');
    assert.equal(await client.prompt(sessionId, 'Take a look around'), 'end_turn');

    const calls = client.toolCalls(sessionId);
    assert.deepEqual(calls.map((c) => [c.kind, c.title, c.status]), TEST_TOOLS_CALLS);
    for (const c of calls) assert.deepEqual(c.statuses, ['pending', 'in_progress', 'completed']);
    assert.equal(calls[0].content[0].content.text, '# Demo project\n\nA small workspace.\n');

    const notes = await readFile(join(dir, 'punie-notes.md'), 'utf8');
    assert.match(notes, /^# Notes from Punie's test model \(reviewed\)\n\nI read `README\.md`: 4 lines, 35 characters\.\nIts first line is: # Demo project/);
    const written = notes.replace(' (reviewed)', '');
    assert.deepEqual(calls[1].content, [{ type: 'diff', path: join(dir, 'punie-notes.md'), oldText: null, newText: written }]);
    assert.deepEqual(calls[2].content, [{ type: 'diff', path: join(dir, 'punie-notes.md'), oldText: written, newText: notes }]);

    const terminal = calls[3].content.find((c: any) => c.type === 'terminal');
    assert.ok(terminal, 'the command shows its terminal');
    const output = calls[3].content.find((c: any) => c.type === 'content').content.text;
    assert.match(output, /^`ls` exited with code 0\.\n/);
    assert.match(output, /README\.md\npunie-notes\.md/);

    assert.deepEqual(
      client.requests.map((r) => r.method),
      ['fs/read_text_file', 'fs/read_text_file', 'session/request_permission', 'fs/write_text_file', 'fs/read_text_file', 'session/request_permission', 'fs/write_text_file', 'session/request_permission', 'terminal/create', 'terminal/wait_for_exit', 'terminal/output', 'terminal/release'],
    );
    const create = client.requests.find((r) => r.method === 'terminal/create')!.params;
    assert.deepEqual([create.command, create.args, create.cwd, create.outputByteLimit], ['sh', ['-c', 'ls'], dir, 65536]);
    assert.match(client.agentText(sessionId), /Here is what I did:[\s\S]*`run_command`/);
  });

  it('session/load replays the transcript: user and agent chunks and the tool calls in their final state', async () => {
    const client = await connect();
    const sessionId = await client.newSession(dir, 'test:tools');
    await client.prompt(sessionId, 'Read README.md please');
    const live = client.updates.length;
    await client.call('session/load', { sessionId, cwd: dir, mcpServers: [] });
    const replayed = client.updates
      .slice(live)
      .map((u) => u.update)
      .filter((u) => u.sessionUpdate !== 'available_commands_update');
    assert.deepEqual(replayed.map((u) => u.sessionUpdate), ['user_message_chunk', 'agent_thought_chunk', 'tool_call', 'agent_thought_chunk', 'tool_call', 'agent_thought_chunk', 'tool_call', 'agent_thought_chunk', 'tool_call', 'agent_message_chunk']);
    assert.equal(replayed[0].content.text, 'Read README.md please');
    assert.deepEqual(replayed.filter((u) => u.sessionUpdate === 'tool_call').map((u) => u.status), ['completed', 'completed', 'completed', 'completed']);
    assert.equal(replayed.at(-1).content.text, client.agentText(sessionId).slice(0, replayed.at(-1).content.text.length));
  });

  it('a rejected permission really denies: nothing is written or run', async () => {
    const client = await connect({ permission: choose('reject_once') });
    const sessionId = await client.newSession(dir, 'test:tools');
    assert.equal(await client.prompt(sessionId, 'go'), 'end_turn');
    await assert.rejects(readFile(join(dir, 'punie-notes.md')), /ENOENT/);
    assert.ok(!client.requests.some((r) => r.method === 'fs/write_text_file' || r.method === 'terminal/create'));
    const calls = client.toolCalls(sessionId);
    // The edit finds no file to edit (the write was rejected) and fails without asking.
    assert.deepEqual(calls.map((c) => c.status), ['completed', 'failed', 'failed', 'failed']);
    assert.match(client.agentText(sessionId), /was not made: the user rejected it/);
  });

  it('allow always is remembered for the session: later writes and commands do not ask', async () => {
    const client = await connect({ permission: choose('allow_always') });
    const sessionId = await client.newSession(dir, 'test:tools');
    await client.prompt(sessionId, 'first');
    const asked = client.requests.filter((r) => r.method === 'session/request_permission').length;
    assert.equal(asked, 2, 'edits were allowed always at the write');
    client.permission = choose('reject_once');
    await client.prompt(sessionId, 'second');
    assert.equal(client.requests.filter((r) => r.method === 'session/request_permission').length, 2, 'no new permission requests');
    assert.equal(client.requests.filter((r) => r.method === 'terminal/create').length, 2);
  });

  it('read-only mode denies writes and commands without asking; reads still work', async () => {
    const client = await connect();
    const sessionId = await client.newSession(dir, 'test:tools');
    await client.call('session/set_mode', { sessionId, modeId: 'read-only' });
    await client.prompt(sessionId, 'go');
    assert.deepEqual(client.requests.map((r) => r.method), ['fs/read_text_file']);
    assert.deepEqual(client.toolCalls(sessionId).map((c) => c.status), ['completed', 'failed', 'failed', 'failed']);
    assert.match(client.agentText(sessionId), /read-only mode/);
  });

  it('cancel while a permission is pending: the request is withdrawn and the prompt answers cancelled fast', async () => {
    const client = await connect({ permission: waitForCancel });
    const sessionId = await client.newSession(dir, 'test:tools');
    const prompt = client.prompt(sessionId, 'go');
    await client.waitForRequest('session/request_permission');
    const started = Date.now();
    await client.cancel(sessionId);
    assert.equal(await prompt, 'cancelled');
    const elapsed = Date.now() - started;
    assert.ok(elapsed < 500, `cancelled after ${elapsed} ms`);
    assert.ok(client.requests.find((r) => r.method === 'session/request_permission')!.cancelled, 'the client got $/cancel_request');
    assert.ok(!client.requests.some((r) => r.method === 'fs/write_text_file'));
    assert.equal(client.toolCalls(sessionId)[1].status, 'failed');
  });

  it('cancel while a command runs ends wait_for_exit and releases (kills) the terminal', async () => {
    const client = await connect();
    const sessionId = await client.newSession(dir, 'test:tools');
    const prompt = client.prompt(sessionId, 'Run `sleep 30` now');
    await client.waitForRequest('terminal/wait_for_exit');
    const terminal = [...client.terminals.values()][0];
    const started = Date.now();
    await client.cancel(sessionId);
    assert.equal(await prompt, 'cancelled');
    assert.ok(Date.now() - started < 500, `cancelled after ${Date.now() - started} ms`);
    assert.ok(client.requests.find((r) => r.method === 'terminal/wait_for_exit')!.cancelled);
    await client.waitForRequest('terminal/release');
    const exit = await Promise.race([terminal.exit, new Promise((r) => setTimeout(() => r('still running'), 2000))]);
    assert.notEqual(exit, 'still running', 'the command was killed');
  });

  it('a long command is waited for without a time cap, and its output comes back', async () => {
    const client = await connect();
    const sessionId = await client.newSession(dir, 'test:tools');
    assert.equal(await client.prompt(sessionId, 'Run `sleep 0.3; echo finished` please'), 'end_turn');
    const run = client.toolCalls(sessionId)[3];
    assert.equal(run.status, 'completed');
    assert.match(run.content[1].content.text, /exited with code 0\.\nfinished/);
  });

  it('a client without capabilities gets a text-only answer and no requests', async () => {
    const client = await connect({ capabilities: {} });
    const sessionId = await client.newSession(dir, 'test:tools');
    const started = Date.now();
    assert.equal(await client.prompt(sessionId, 'Read README.md'), 'end_turn');
    assert.ok(Date.now() - started < 1000);
    assert.deepEqual(client.requests, []);
    assert.deepEqual(client.toolCalls(sessionId), []);
    assert.match(client.agentText(sessionId), /offers no tools/);
  });

  it('a failing model fails the prompt with an actionable JSON-RPC error', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise((resolve) => probe.close(resolve));
    const client = await connect();
    const sessionId = await client.newSession(dir, `local:http://127.0.0.1:${port}/v1/some-model`);
    await assert.rejects(client.prompt(sessionId, 'hi'), (err: any) => {
      assert.equal(err.code, -32603);
      assert.match(err.message, new RegExp(`session/prompt .*Model "local:http://127\\.0\\.0\\.1:${port}/v1/some-model" failed: cannot reach the model server at http://127\\.0\\.0\\.1:${port}/v1 — is it running\\?`));
      return true;
    });
    // The session is still usable after the failure.
    await client.call('session/set_mode', { sessionId, modeId: 'default' });
  });

  it('an unknown or unusable model is refused at session/new with invalid params', async () => {
    const client = await connect();
    await assert.rejects(client.newSession(dir, 'vscode-lm'), (err: any) => err.code === -32602 && /only when the Punie server runs inside VS Code/.test(err.message));
  });

  it('allowOnce is the default policy and asks every time', async () => {
    const client = await connect({ permission: allowOnce });
    const sessionId = await client.newSession(dir, 'test:tools');
    await client.prompt(sessionId, 'a');
    await client.prompt(sessionId, 'b');
    assert.equal(client.requests.filter((r) => r.method === 'session/request_permission').length, 6);
  });

  it('the step limit comes from the server options and ends the turn with max_turn_requests', async () => {
    await server.close();
    server = await startServer({ agent: { ...defaultAgentSessionOptions, turn: { ...defaultAgentSessionOptions.turn, maxSteps: 2 } } });
    const client = await connect();
    const sessionId = await client.newSession(dir, 'test:tools');
    assert.equal(await client.prompt(sessionId, 'go'), 'max_turn_requests');
    assert.deepEqual(client.toolCalls(sessionId).map((c) => c.kind), ['read', 'edit']);
  });

  it('a Punie Python client on /ws (no capabilities, never answers requests) gets text at once', async () => {
    const raw = await RawClient.connect(server.urls().ws);
    try {
      await raw.call('i', 'initialize', { protocol_version: 1, client_info: { name: 'punie-client', version: '0.1.0' } });
      const created = await raw.call('n', 'new_session', { cwd: dir, mode: 'code', mcp_servers: [], _meta: { model: 'test:tools' } });
      const started = Date.now();
      const done = await raw.call('p', 'prompt', { session_id: created.result.sessionId, prompt: [{ type: 'text', text: 'read README.md' }] });
      assert.equal(done.result.stopReason, 'end_turn');
      assert.ok(Date.now() - started < 1000);
      assert.ok(!raw.messages.some((m) => m.method && m.id !== undefined), 'no agent→client requests');
      assert.match(raw.updates().map((u) => u.params.update.content?.text ?? '').join(''), /offers no tools/);
    } finally {
      raw.close();
    }
  });

  it('command output is cut to the output byte limit, keeping the end', async () => {
    await server.close();
    const turn = { ...defaultAgentSessionOptions.turn, limits: { ...defaultAgentSessionOptions.turn.limits, outputByteLimit: 64 } };
    server = await startServer({ agent: { ...defaultAgentSessionOptions, turn } });
    const client = await connect();
    const sessionId = await client.newSession(dir, 'test:tools');
    await client.prompt(sessionId, 'Run `seq 1 1000`');
    assert.equal(client.requests.find((r) => r.method === 'terminal/create')!.params.outputByteLimit, 64);
    const text = client.toolCalls(sessionId)[3].content[1].content.text;
    assert.match(text, /^`seq 1 1000` exited with code 0 \(output truncated; the start is missing\)\.\n/);
    assert.match(text, /\n1000\n$/);
    assert.ok(Buffer.byteLength(text.split('\n').slice(1).join('\n')) <= 64);
  });
});
