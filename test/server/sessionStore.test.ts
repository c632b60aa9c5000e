import assert from 'node:assert/strict';
import type { PunieServer } from '../../src/server/server';
import { until } from '../helpers/client';
import { RawClient, startServer } from '../helpers/server';

async function newSession(client: RawClient, id: string | number) {
  const reply = await client.call(id, 'new_session', { cwd: '/w', mcp_servers: [] });
  return { sessionId: reply.result.sessionId as string, token: reply.result._meta.resume_token as string };
}

describe('server sessions: ownership, resume, expiry', () => {
  let server: PunieServer;
  let now: number;
  const clients: RawClient[] = [];
  const connect = async () => {
    const c = await RawClient.connect(server.urls().ws);
    clients.push(c);
    return c;
  };
  /** Closes `client` and waits until the server has let go of its connection. */
  const disconnect = async (client: RawClient) => {
    client.close();
    await client.closed;
    await until(() => server.connectionCount === 0, '0 connection(s)');
  };
  beforeEach(async () => {
    now = 1_000_000;
    server = await startServer({ gracePeriodMs: 300_000, now: () => now });
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await server.close();
  });

  it('gives two clients different sessions, and each session only serves its owner on every method', async () => {
    const a = await connect();
    const b = await connect();
    const sa = await newSession(a, 1);
    const sb = await newSession(b, 1);
    assert.notEqual(sa.sessionId, sb.sessionId);
    const calls: [string, object][] = [
      ['prompt', { session_id: sa.sessionId, prompt: [{ type: 'text', text: 'x' }] }],
      ['session/set_mode', { session_id: sa.sessionId, mode_id: 'default' }],
      ['session/load', { session_id: sa.sessionId, cwd: '/w', mcp_servers: [] }],
      ['session/close', { session_id: sa.sessionId }],
      ['cancel', { session_id: sa.sessionId }],
    ];
    let id = 10;
    for (const [method, params] of calls) {
      const reply = await b.call(id++, method, params);
      assert.equal(reply.error?.code, -32002, `${method} must be refused to a non-owner`);
      assert.match(reply.error.message, new RegExp(`Access denied: session ${sa.sessionId}`));
    }
    const listed = await b.call(id++, 'session/list', {});
    assert.deepEqual(listed.result.sessions.map((s: any) => s.sessionId), [sb.sessionId]);
    const own = await a.call(id++, 'prompt', { session_id: sa.sessionId, prompt: [{ type: 'text', text: 'x' }] });
    assert.equal(own.result.stopReason, 'end_turn');
  });

  it('resumes after a disconnect with the token, rotating it; a token fails once its successor was used', async () => {
    const a = await connect();
    const s = await newSession(a, 1);
    await disconnect(a);
    const b = await connect();
    const resumed = await b.call(2, 'resume_session', { cwd: '/w', session_id: s.sessionId, resume_token: s.token });
    const rotated = resumed.result._meta.resume_token;
    assert.ok(rotated && rotated !== s.token, 'token rotated');
    const prompt = await b.call(3, 'prompt', { session_id: s.sessionId, prompt: [{ type: 'text', text: 'back' }] });
    assert.equal(prompt.result.stopReason, 'end_turn');
    await disconnect(b);
    const c = await connect();
    const fresh = await c.call(4, 'session/resume', { cwd: '/w', sessionId: s.sessionId, _meta: { resume_token: rotated } });
    assert.ok(fresh.result, 'the rotated token works, also from _meta');
    await disconnect(c);
    const d = await connect();
    const stale = await d.call(5, 'session/resume', { cwd: '/w', sessionId: s.sessionId, resumeToken: s.token });
    assert.equal(stale.error.code, -32602);
    assert.match(stale.error.message, /Invalid resume token/);
  });

  it('checks resume in order: session exists, token matches, owner disconnected', async () => {
    const a = await connect();
    const s = await newSession(a, 1);
    const b = await connect();
    const missing = await b.call(1, 'resume_session', { cwd: '/w', session_id: 'punie-session-nope', resume_token: s.token });
    assert.equal(missing.error.code, -32002);
    assert.match(missing.error.message, /not found or expired/);
    const wrong = await b.call(2, 'resume_session', { cwd: '/w', session_id: s.sessionId, resume_token: 'x'.repeat(43) });
    assert.match(wrong.error.message, /Invalid resume token/);
    const attached = await b.call(3, 'resume_session', { cwd: '/w', session_id: s.sessionId, resume_token: s.token });
    assert.equal(attached.error.code, -32600);
    assert.match(attached.error.message, /still attached to client-/);
    assert.equal(attached.error.data.retry, true);
  });

  it('keeps a disconnected client\'s other sessions when one is resumed (Punie deleted them)', async () => {
    const a = await connect();
    const s1 = await newSession(a, 1);
    const s2 = await newSession(a, 2);
    await disconnect(a);
    const b = await connect();
    assert.ok((await b.call(3, 'resume_session', { cwd: '/w', session_id: s1.sessionId, resume_token: s1.token })).result);
    assert.ok((await b.call(4, 'resume_session', { cwd: '/w', session_id: s2.sessionId, resume_token: s2.token })).result);
  });

  it('expires sessions after the grace period (injected clock) and not before', async () => {
    const a = await connect();
    const s = await newSession(a, 1);
    await disconnect(a);
    now += 299_000;
    assert.equal(server.store.sweep(), 0);
    now += 2_000;
    assert.equal(server.store.sweep(), 1);
    const b = await connect();
    const late = await b.call(2, 'resume_session', { cwd: '/w', session_id: s.sessionId, resume_token: s.token });
    assert.match(late.error.message, /not found or expired/);
  });

  it('keeps sweeping when one cleanup step throws', async () => {
    const a = await connect();
    const s1 = await newSession(a, 1);
    const s2 = await newSession(a, 2);
    await disconnect(a);
    const store = server.store;
    const original = store.delete.bind(store);
    let calls = 0;
    store.delete = (id: string) => {
      calls++;
      if (id === s1.sessionId) throw new Error('boom');
      original(id);
    };
    now += 301_000;
    store.sweep();
    assert.equal(calls, 2, 'both sessions visited');
    assert.equal(store.sessionCount, 0, 'the throwing one is dropped too');
    assert.ok(s2);
  });
});
