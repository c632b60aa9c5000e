import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { PunieServer } from '../../src/server/server';
import { RawClient, startServer } from '../helpers/server';

/** The HTTP status and body of a refused upgrade. */
function refusedUpgrade(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.on('open', () => reject(new Error('the upgrade was accepted')));
    socket.on('error', () => {});
    socket.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
  });
}

async function until(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('server limits', () => {
  let server: PunieServer;
  const clients: RawClient[] = [];
  const connect = async (path: 'ws' | 'acp' = 'ws') => {
    const client = await RawClient.connect(server.urls()[path]);
    clients.push(client);
    return client;
  };
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await server.close();
  });

  describe('connections', () => {
    it('refuses the connection over maxConnections with 503 and a body saying what to do, then admits once one leaves', async () => {
      server = await startServer({ maxConnections: 2 });
      const first = await connect();
      await connect('acp');
      const refused = await refusedUpgrade(server.urls().ws);
      assert.equal(refused.status, 503);
      assert.match(refused.body, /too many connections: this server accepts 2 at once \(--max-connections\)/);
      assert.equal(server.connectionCount, 2);
      first.close();
      await until(() => server.connectionCount === 1);
      const third = await connect();
      assert.ok((await third.call(1, 'initialize', {})).result);
    });

    it('still answers /health when full', async () => {
      server = await startServer({ maxConnections: 1 });
      await connect();
      const res = await fetch(server.urls().health);
      assert.equal(res.status, 200);
      assert.equal(((await res.json()) as { connections: number }).connections, 1);
    });
  });

  describe('sessions', () => {
    it('answers session/new over maxSessionsPerClient with -32030, and accepts again after session/close', async () => {
      server = await startServer({ maxSessionsPerClient: 2 });
      const client = await connect();
      const a = await client.call(1, 'session/new', { cwd: '/w', mcpServers: [] });
      await client.call(2, 'session/new', { cwd: '/w', mcpServers: [] });
      const over = await client.call(3, 'session/new', { cwd: '/w', mcpServers: [] });
      assert.equal(over.error.code, -32030);
      assert.match(over.error.message, /session\/new \(request id 3\): this connection already has 2 sessions/);
      assert.match(over.error.message, /--max-sessions-per-client 2/);
      assert.deepEqual(over.error.data, { limit: 'maxSessionsPerClient', max: 2 });
      assert.equal(server.store.sessionCount, 2, 'nothing was created');
      const other = await connect();
      assert.ok((await other.call(1, 'session/new', { cwd: '/w', mcpServers: [] })).result, 'the limit is per client');
      await client.call(4, 'session/close', { sessionId: a.result.sessionId });
      assert.ok((await client.call(5, 'session/new', { cwd: '/w', mcpServers: [] })).result.sessionId);
    });

    it('caps the sessions of the whole server, counting those waiting for a resume', async () => {
      server = await startServer({ maxSessions: 2 });
      const first = await connect();
      await first.call(1, 'session/new', { cwd: '/w', mcpServers: [] });
      await first.call(2, 'session/new', { cwd: '/w', mcpServers: [] });
      first.close();
      await until(() => server.connectionCount === 0);
      const second = await connect('acp');
      await second.call(1, 'initialize', { protocolVersion: 1 });
      const over = await second.call(2, 'session/new', { cwd: '/w', mcpServers: [] });
      assert.equal(over.error.code, -32030);
      assert.match(over.error.message, /server already holds 2 sessions.*--max-sessions 2/);
    });
  });

  describe('rate limit', () => {
    it('lets a busy but honest client through with the defaults', async () => {
      server = await startServer();
      const client = await connect();
      const replies = await Promise.all(Array.from({ length: 300 }, (_, i) => client.call(i, '_punie/echo', { i })));
      assert.ok(replies.every((r, i) => r.result?.echo.i === i));
    });

    it('answers requests over the limit with -32029, drops notifications, never refuses cancels, and refills over time', async () => {
      let clock = 1_000;
      server = await startServer({ now: () => clock, rateLimitPerSecond: 10, rateLimitBurst: 5, rateLimitMaxRefused: 100 });
      const client = await connect();
      const session = (await client.call('new', 'session/new', { cwd: '/w', mcpServers: [], _meta: { model: 'test?chunks=100000&delayMs=5' } })).result.sessionId;
      const prompt = client.call('p', 'session/prompt', { sessionId: session, prompt: [{ type: 'text', text: 'go' }] });
      const replies = await Promise.all([1, 2, 3, 4, 5].map((i) => client.call(i, '_punie/echo', { i })));
      assert.equal(replies.filter((r) => r.result).length, 3, 'the burst had 5 tokens: new, prompt and 3 more');
      const refused = replies.find((r) => r.error)!;
      assert.equal(refused.error.code, -32029);
      assert.match(refused.error.message, /_punie\/echo \(request id \d\): rate limit exceeded \(10 messages\/s, burst 5\); slow down and retry in 100 ms/);
      assert.deepEqual(refused.error.data, { retryAfterMs: 100 });
      client.send({ jsonrpc: '2.0', method: '_punie/note', params: {} });
      client.send({ jsonrpc: '2.0', method: 'session/cancel', params: { sessionId: session } });
      assert.equal((await prompt).result.stopReason, 'cancelled', 'the cancel got through over the limit');
      clock += 300;
      const later = await Promise.all([6, 7, 8, 9].map((i) => client.call(i, '_punie/echo', { i })));
      assert.equal(later.filter((r) => r.result).length, 3, '300 ms at 10/s refilled 3 tokens');
      assert.equal(client.messages.filter((m) => m.error?.code === -32029).length, 3, 'the dropped notification got no reply');
    });

    it('closes a client that keeps flooding with 1008', async () => {
      server = await startServer();
      const client = await connect();
      for (let i = 0; i < 4000; i++) client.send({ jsonrpc: '2.0', id: i, method: '_punie/echo', params: {} });
      const closed = await client.closed;
      assert.equal(closed.code, 1008);
      assert.equal(closed.reason, 'rate limit exceeded repeatedly');
      const refused = client.messages.filter((m) => m.error?.code === -32029).length;
      assert.ok(refused >= 1000 && refused <= 1001, `${refused} refusals before the close`);
      const served = client.messages.filter((m) => m.result).length;
      assert.ok(served >= 1000 && served < 2000, `${served} served: the burst, plus what 200/s refilled meanwhile`);
    });
  });
});
