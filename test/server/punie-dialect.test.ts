import assert from 'node:assert/strict';
import type { PunieServer } from '../../src/server/server';
import { RawClient, startServer } from '../helpers/server';

describe('server /ws (Punie dialect)', () => {
  let server: PunieServer;
  let client: RawClient;
  beforeEach(async () => {
    server = await startServer();
    client = await RawClient.connect(server.urls().ws);
  });
  afterEach(async () => {
    client.close();
    await server.close();
  });

  it('answers a Punie Python client handshake and prompt with legacy names and snake_case params', async () => {
    const init = await client.call('init-1', 'initialize', { protocol_version: 1, client_info: { name: 'punie-client', version: '0.1.0' } });
    assert.equal(init.result.protocolVersion, 1);
    assert.equal(init.result.agentInfo.name, 'punie-agent');
    const created = await client.call('session-1', 'new_session', { cwd: '/w', mode: 'code', mcp_servers: [] });
    assert.match(created.result.sessionId, /^punie-session-/);
    assert.match(created.result._meta.resume_token, /^[A-Za-z0-9_-]{43}$/);
    const done = await client.call(7, 'prompt', { session_id: created.result.sessionId, prompt: [{ type: 'text', text: 'Say hello' }] });
    assert.deepEqual(done.result.stopReason, 'end_turn');
    const updates = client.updates(created.result.sessionId);
    assert.ok(updates.length > 5, 'the answer streams in many chunks');
    const doneIndex = client.messages.indexOf(done);
    for (const u of updates) assert.ok(client.messages.indexOf(u) < doneIndex, 'every update arrives before the response');
    assert.ok(updates.every((u) => u.jsonrpc === '2.0' && u.params.update.sessionUpdate === 'agent_message_chunk'));
    const text = updates.map((u) => u.params.update.content.text).join('');
    assert.match(text, /You asked: \*Say hello\*/);
  });

  it('accepts slash names and camelCase params too', async () => {
    const created = await client.call(1, 'session/new', { cwd: '/w', mcpServers: [] });
    const done = await client.call(2, 'session/prompt', { sessionId: created.result.sessionId, prompt: [{ type: 'text', text: 'x' }] });
    assert.equal(done.result.stopReason, 'end_turn');
  });

  it('decodes binary frames as UTF-8', async () => {
    client.socket.send(Buffer.from(JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'initialize', params: { protocol_version: 1 } })));
    const reply = await client.next((m) => m.id === 3);
    assert.equal(reply.result.protocolVersion, 1);
  });

  it('answers invalid JSON with -32700 and id null, and keeps the socket open', async () => {
    client.send('not valid json');
    const err = await client.next((m) => m.error?.code === -32700);
    assert.equal(err.id, null);
    assert.match(err.error.message, /Parse error/);
    client.socket.send(Buffer.from([0, 1, 2]));
    await client.next((m) => m.error?.code === -32700 && m !== err);
    const init = await client.call(9, 'initialize', { protocol_version: 1 });
    assert.equal(init.result.protocolVersion, 1);
  });

  for (const [label, frame] of [
    ['a number', '42'],
    ['null', 'null'],
    ['a string', '"result"'],
    ['a batch', '[{"jsonrpc":"2.0","id":1,"method":"initialize"}]'],
    ['an empty batch', '[]'],
    ['an object without method or result', '{"jsonrpc":"2.0","id":5}'],
  ]) {
    it(`answers ${label} with -32600 and keeps the connection`, async () => {
      client.send(frame);
      const err = await client.next((m) => m.error?.code === -32600);
      assert.match(err.error.message, /Invalid (request|response)/);
      const init = await client.call('after', 'initialize', { protocol_version: 1 });
      assert.ok(init.result);
    });
  }

  it('answers an unknown method with -32601 naming the method and request id', async () => {
    const reply = await client.call(1, 'unknown_method', {});
    assert.equal(reply.error.code, -32601);
    assert.match(reply.error.message, /unknown_method \(request id 1\)/);
  });

  it('answers missing or wrong-typed params with -32602 and the zod issue', async () => {
    const missing = await client.call('r1', 'new_session', { cwd: '/w' });
    assert.equal(missing.error.code, -32602);
    assert.match(missing.error.message, /new_session|session\/new/);
    assert.match(missing.error.message, /mcpServers/);
    assert.match(missing.error.message, /request id "r1"/);
    const wrong = await client.call('r2', 'prompt', { session_id: 5, prompt: 'hi' });
    assert.equal(wrong.error.code, -32602);
    assert.ok(Array.isArray(wrong.error.data.issues));
  });

  it('echoes extension methods like Punie', async () => {
    const reply = await client.call(1, '_punie/echo', { a: 1 });
    assert.deepEqual(reply.result, { echo: { a: 1 } });
  });

  it('treats id null as a notification (no reply)', async () => {
    client.send({ jsonrpc: '2.0', id: null, method: 'initialize', params: { protocol_version: 1 } });
    const marker = await client.call('m', 'initialize', { protocol_version: 1 });
    assert.ok(marker.result);
    assert.equal(client.messages.filter((m) => 'result' in m || 'error' in m).length, 1);
  });

  it('reports status and counts on /health', async () => {
    const res = await fetch(server.urls().health);
    assert.equal(res.status, 200);
    const body = (await res.json()) as Record<string, unknown>;
    assert.equal(body.status, 'ok');
    assert.equal(body.store, 'memory', 'names the session store (jsonl or redis when there is one)');
    assert.equal(body.connections, 1);
    assert.equal(typeof body.version, 'string');
    assert.equal((await fetch(server.urls().health.replace('/health', '/nope'))).status, 404);
  });
});
