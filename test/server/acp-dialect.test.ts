import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { PunieServer } from '../../src/server/server';
import { RawClient, startServer } from '../helpers/server';

describe('server /acp (strict ACP v1)', () => {
  let server: PunieServer;
  /** The third-party client, killed if its test fails before it exits. */
  let peer: ChildProcess | undefined;
  afterEach(() => {
    peer?.kill();
    return server.close();
  });

  it('requires initialize first: answers the request, then closes with 1002', async () => {
    server = await startServer();
    const client = await RawClient.connect(server.urls().acp);
    const reply = await client.call(1, 'session/new', { cwd: '/w', mcpServers: [] });
    assert.equal(reply.error.code, -32600);
    assert.match(reply.error.message, /initialize must be the first request/);
    const closed = await client.closed;
    assert.equal(closed.code, 1002);
  });

  it('rejects legacy names and snake_case params, and ignores binary frames', async () => {
    server = await startServer();
    const client = await RawClient.connect(server.urls().acp);
    assert.ok((await client.call(1, 'initialize', { protocolVersion: 1 })).result);
    const legacy = await client.call(2, 'new_session', { cwd: '/w', mcpServers: [] });
    assert.equal(legacy.error.code, -32601);
    const snake = await client.call(3, 'session/new', { cwd: '/w', mcp_servers: [] });
    assert.equal(snake.error.code, -32602);
    client.socket.send(Buffer.from(JSON.stringify({ jsonrpc: '2.0', id: 4, method: 'session/list', params: {} })));
    const after = await client.call(5, 'session/list', {});
    assert.deepEqual(after.result.sessions, []);
    assert.equal(client.messages.filter((m) => m.id === 4).length, 0, 'binary frame ignored');
    client.close();
  });

  it('advertises what it implements and runs a whole turn', async () => {
    server = await startServer();
    const client = await RawClient.connect(server.urls().acp);
    const init = await client.call(1, 'initialize', { protocolVersion: 1, clientCapabilities: {} });
    assert.equal(init.result.agentCapabilities.loadSession, true);
    assert.ok(init.result.agentCapabilities.sessionCapabilities.resume);
    const created = await client.call(2, 'session/new', { cwd: '/w', mcpServers: [] });
    const sid = created.result.sessionId;
    const done = await client.call(3, 'session/prompt', { sessionId: sid, prompt: [{ type: 'text', text: 'hi' }] });
    assert.equal(done.result.stopReason, 'end_turn');
    const seqs = client.updates(sid).map((u) => u.params._meta.seq);
    assert.deepEqual(seqs, seqs.map((_, i) => i + 1), 'updates are numbered 1..n');
    client.close();
  });

  it('session/load replays the transcript before answering', async () => {
    server = await startServer();
    const client = await RawClient.connect(server.urls().acp);
    await client.call(1, 'initialize', { protocolVersion: 1 });
    const sid = (await client.call(2, 'session/new', { cwd: '/w', mcpServers: [] })).result.sessionId;
    await client.call(3, 'session/prompt', { sessionId: sid, prompt: [{ type: 'text', text: 'remember me' }] });
    const before = client.messages.length;
    const loaded = await client.call(4, 'session/load', { sessionId: sid, cwd: '/w', mcpServers: [] });
    const replayed = client.messages.slice(before, client.messages.indexOf(loaded)).filter((m) => m.method === 'session/update');
    assert.equal(replayed[0].params.update.sessionUpdate, 'user_message_chunk');
    assert.equal(replayed[0].params.update.content.text, 'remember me');
    const agentText = replayed.filter((u) => u.params.update.sessionUpdate === 'agent_message_chunk').map((u) => u.params.update.content.text).join('');
    assert.match(agentText, /You asked: \*remember me\*/);
    client.close();
  });

  it('completes initialize → session/new → prompt with the ACP SDK WebSocket example client (third-party peer)', async function () {
    this.timeout(20_000);
    server = await startServer({ token: 'example-token' });
    const script = path.join(__dirname, '../../node_modules/acp-sdk-v1/dist/examples/ws-client.js');
    const child = (peer = spawn(process.execPath, [script], { env: { ...process.env, ACP_WS_URL: server.urls().acp }, stdio: ['ignore', 'pipe', 'pipe'] }));
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 0, output);
    assert.match(output, /You asked/);
  });
});
