import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import type * as sdk from '@agentclientprotocol/sdk' with { 'resolution-mode': 'import' };
import type { PunieServer } from '../../src/server/server';
import { startServer } from '../helpers/server';

/** The ACP TypeScript SDK's documented v1 reconnect (new stream → initialize → session/load or resume) against /acp, across a server restart. */
describe('ACP SDK reconnect against /acp (third-party peer)', function () {
  this.timeout(15_000);
  let dir: string;
  let servers: PunieServer[];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'punie-sdk-reconnect-'));
    servers = [];
  });
  afterEach(async () => {
    for (const s of servers) await s.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function connect(server: PunieServer) {
    const acp = await import('@agentclientprotocol/sdk');
    const { createWebSocketStream } = await import('@agentclientprotocol/sdk/experimental/ws-client');
    const updates: sdk.SessionNotification[] = [];
    const app = acp.client({ name: 'sdk-reconnect' }).onNotification(acp.methods.client.session.update, (ctx) => {
      updates.push(ctx.params);
    });
    const stream = createWebSocketStream(server.urls().acp, { WebSocket: WebSocket as never, headers: { authorization: 'Bearer sdk-token' } });
    const connection = app.connect(stream);
    const init = await connection.agent.request('initialize', { protocolVersion: 1, clientCapabilities: {}, clientInfo: { name: 'sdk-reconnect', version: '0.0.0' } });
    return { agent: connection.agent, connection, updates, init };
  }

  it('loads (with replay) and resumes (without) the same session from new connections after the server restarted', async () => {
    const first = await startServer({ dataDir: dir, token: 'sdk-token' });
    servers.push(first);
    const a = await connect(first);
    const { sessionId } = await a.agent.request('session/new', { cwd: '/w', mcpServers: [] });
    assert.equal((await a.agent.request('session/prompt', { sessionId, prompt: [{ type: 'text', text: 'remember me' }] })).stopReason, 'end_turn');
    a.connection.close();
    await first.close();

    const second = await startServer({ dataDir: dir, token: 'sdk-token' });
    servers.push(second);
    const b = await connect(second);
    assert.equal(b.init.agentCapabilities?.loadSession, true, 'the SDK checks loadSession before session/load');
    const listed = await b.agent.request('session/list', {});
    assert.deepEqual(listed.sessions.map((s) => [s.sessionId, s.title]), [[sessionId, 'remember me']]);
    await b.agent.request('session/load', { sessionId, cwd: '/w', mcpServers: [] });
    const replayed = b.updates.filter((u) => u.sessionId === sessionId).map((u) => u.update.sessionUpdate);
    assert.equal(replayed[0], 'user_message_chunk');
    assert.ok(replayed.includes('agent_message_chunk'), 'history replayed as session/update before the answer');
    assert.equal((await b.agent.request('session/prompt', { sessionId, prompt: [{ type: 'text', text: 'again' }] })).stopReason, 'end_turn');

    const c = await connect(second);
    const before = c.updates.length;
    await c.agent.request('session/resume', { sessionId, cwd: '/w', mcpServers: [] });
    assert.equal(c.updates.length, before, 'resume attaches without replay');
    assert.equal((await c.agent.request('session/prompt', { sessionId, prompt: [{ type: 'text', text: 'third' }] })).stopReason, 'end_turn');
    await assert.rejects(b.agent.request('session/prompt', { sessionId, prompt: [{ type: 'text', text: 'mine?' }] }), /opened by a newer connection/);
    b.connection.close();
    c.connection.close();
  });
});
