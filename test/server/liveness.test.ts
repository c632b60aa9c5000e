import assert from 'node:assert/strict';
import WebSocket from 'ws';
import type { PunieServer } from '../../src/server/server';
import { until } from '../helpers/client';
import { RawClient, startServer } from '../helpers/server';

/** A Punie-dialect client whose new session runs prompt 2. */
async function promptRunning(server: PunieServer) {
  const client = await RawClient.connect(server.urls().ws);
  const sid = (await client.call(1, 'new_session', { cwd: '/w', mcp_servers: [] })).result.sessionId;
  client.send({ jsonrpc: '2.0', id: 2, method: 'prompt', params: { session_id: sid, prompt: [{ type: 'text', text: 'x' }] } });
  return { client, sid: sid as string };
}

describe('server liveness, limits and shutdown', () => {
  let server: PunieServer;
  afterEach(() => server.close());

  it('terminates a peer that stops answering pings after two missed pongs', async () => {
    server = await startServer({ heartbeatIntervalMs: 40 });
    const socket = new WebSocket(server.urls().ws, { autoPong: false });
    const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
    await new Promise((r) => socket.once('open', r));
    const started = Date.now();
    const code = await closed;
    assert.equal(code, 1006, 'terminated, not closed politely');
    assert.ok(Date.now() - started < 1000, 'within a few heartbeat intervals');
  });

  it('keeps a peer that answers pings', async () => {
    server = await startServer({ heartbeatIntervalMs: 30 });
    const client = await RawClient.connect(server.urls().ws);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(client.socket.readyState, WebSocket.OPEN);
    client.close();
  });

  it('closes an idle connection, but never while one of its prompts runs', async () => {
    server = await startServer({ heartbeatIntervalMs: 20, idleTimeoutMs: 60, model: 'test?chunks=30&chunkSize=8&delayMs=10' });
    const busy = await RawClient.connect(server.urls().ws);
    const sid = (await busy.call(1, 'new_session', { cwd: '/w', mcp_servers: [] })).result.sessionId;
    const done = await busy.call(2, 'prompt', { session_id: sid, prompt: [{ type: 'text', text: 'x' }] });
    assert.equal(done.result.stopReason, 'end_turn', 'a 300 ms prompt outlives a 60 ms idle timeout');
    const idle = await busy.closed;
    assert.equal(idle.code, 1000);
    assert.equal(idle.reason, 'idle timeout');
  });

  it('never negotiates permessage-deflate, even when the client offers it', async () => {
    server = await startServer();
    const client = await RawClient.connect(server.urls().ws, { perMessageDeflate: true });
    assert.equal(client.socket.extensions, '');
    client.close();
  });

  it('counts a client\'s own pings as activity, so a heartbeating client is not closed as idle', async () => {
    server = await startServer({ heartbeatIntervalMs: 20, idleTimeoutMs: 60 });
    const pinging = await RawClient.connect(server.urls().ws);
    const silent = await RawClient.connect(server.urls().ws);
    const timer = setInterval(() => pinging.socket.ping(), 15);
    try {
      assert.equal((await silent.closed).reason, 'idle timeout');
      await new Promise((r) => setTimeout(r, 150));
      assert.equal(pinging.socket.readyState, WebSocket.OPEN);
    } finally {
      clearInterval(timer);
      pinging.close();
    }
  });

  it('closes with 1009 on a message over maxPayload', async () => {
    server = await startServer({ maxPayload: 1024 });
    const client = await RawClient.connect(server.urls().ws);
    client.send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { pad: 'x'.repeat(2000) } });
    assert.equal((await client.closed).code, 1009);
  });

  it('splits a huge answer into frames of at most 1 MiB', async function () {
    this.timeout(20_000);
    server = await startServer({ model: 'test?chunks=3&chunkSize=1000000' });
    const client = await RawClient.connect(server.urls().ws);
    const sid = (await client.call(1, 'new_session', { cwd: '/w', mcp_servers: [] })).result.sessionId;
    await client.call(2, 'prompt', { session_id: sid, prompt: [{ type: 'text', text: 'x' }] });
    const frames = client.raw.filter((t) => t.includes('agent_message_chunk'));
    assert.ok(frames.length >= 3 * 7, `3 MB answer in many frames (got ${frames.length})`);
    assert.ok(frames.every((f) => Buffer.byteLength(f) <= 1024 * 1024));
    const text = client.updates(sid).map((u) => u.params.update.content.text).join('');
    assert.equal(text.length, 3_000_000, 'nothing lost in the split');
    client.close();
  });

  it('cancels a running prompt promptly with stopReason cancelled', async () => {
    server = await startServer({ model: 'test?chunks=10000&chunkSize=8&delayMs=5' });
    const { client, sid } = await promptRunning(server);
    await client.next((m) => m.method === 'session/update');
    const sent = Date.now();
    client.send({ jsonrpc: '2.0', method: 'cancel', params: { session_id: sid } });
    const done = await client.next((m) => m.id === 2);
    assert.equal(done.result.stopReason, 'cancelled');
    assert.ok(Date.now() - sent < 500, 'cancel answered promptly');
    client.send({ jsonrpc: '2.0', id: 3, method: 'prompt', params: { session_id: sid, prompt: [{ type: 'text', text: 'y' }] } });
    await client.next((m) => m.method === 'session/update' && client.messages.indexOf(m) > client.messages.indexOf(done));
    client.send({ jsonrpc: '2.0', method: 'cancel', params: { session_id: sid } });
    assert.equal((await client.next((m) => m.id === 3)).result.stopReason, 'cancelled', 'the session takes the next prompt');
    client.close();
  });

  it('refuses a second prompt while one runs in the same session', async () => {
    server = await startServer({ model: 'test?chunks=100&chunkSize=8&delayMs=5' });
    const { client, sid } = await promptRunning(server);
    const second = await client.call(3, 'prompt', { session_id: sid, prompt: [{ type: 'text', text: 'y' }] });
    assert.equal(second.error.code, -32600);
    assert.match(second.error.message, /already running/);
    client.send({ jsonrpc: '2.0', method: 'cancel', params: { session_id: sid } });
    await client.next((m) => m.id === 2);
    client.close();
  });

  it('shuts down gracefully: clients get 1001 and new upgrades are refused', async () => {
    server = await startServer();
    const a = await RawClient.connect(server.urls().ws);
    const b = await RawClient.connect(server.urls().acp);
    const started = Date.now();
    await server.close();
    assert.equal((await a.closed).code, 1001);
    assert.equal((await b.closed).code, 1001);
    assert.ok(Date.now() - started < 5000);
    await assert.rejects(RawClient.connect(server.urls().ws));
  });

  it('reports connections on /health as they come and go', async () => {
    server = await startServer();
    const a = await RawClient.connect(server.urls().ws);
    await until(() => server.connectionCount === 1, '1 connection(s)');
    a.close();
    await until(() => server.connectionCount === 0, '0 connection(s)');
    const body = (await (await fetch(server.urls().health)).json()) as { connections: number };
    assert.equal(body.connections, 0);
  });
});
