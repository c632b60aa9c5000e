import assert from 'node:assert/strict';
import type { PunieServer } from '../../src/server/server';
import { until } from '../helpers/client';
import { RawClient, startServer } from '../helpers/server';
import { hashToken } from '../../src/server/users';

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
  /** `count` sessions of a client that has since disconnected (the server has seen it go). */
  const sessionsLeftBehind = async (count: number) => {
    const a = await connect();
    const sessions = [];
    for (let i = 1; i <= count; i++) sessions.push(await newSession(a, i));
    a.close();
    await until(() => server.connectionCount === 0, '0 connection(s)');
    return sessions;
  };
  beforeEach(async () => {
    now = 1_000_000;
    server = await startServer({ gracePeriodMs: 300_000, now: () => now });
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await server.close();
  });

  it('keeps two users apart: another user is told the session does not exist, on every method', async () => {
    await server.close();
    server = await startServer({ users: new Map([['alice', hashToken('alice-token')], ['bob', hashToken('bob-token')]]), now: () => now });
    const as = (token: string) => RawClient.connect(server.urls().ws, { headers: { authorization: `Bearer ${token}` } }).then((c) => (clients.push(c), c));
    await assert.rejects(as('mallory-token'), /HTTP 401/);
    const a = await as('alice-token');
    const b = await as('bob-token');
    const sa = await newSession(a, 1);
    const sb = await newSession(b, 1);
    const calls: [string, object][] = [
      ['prompt', { session_id: sa.sessionId, prompt: [{ type: 'text', text: 'x' }] }],
      ['session/set_mode', { session_id: sa.sessionId, mode_id: 'default' }],
      ['session/load', { session_id: sa.sessionId, cwd: '/w', mcp_servers: [] }],
      ['session/resume', { session_id: sa.sessionId, cwd: '/w', resume_token: sa.token }],
      ['session/close', { session_id: sa.sessionId }],
      ['_punie/set_session_title', { session_id: sa.sessionId, title: 'mine now' }],
      ['cancel', { session_id: sa.sessionId }],
    ];
    let id = 10;
    for (const [method, params] of calls) {
      const reply = await b.call(id++, method, params);
      assert.equal(reply.error?.code, -32002, `${method} must be refused to another user`);
      assert.match(reply.error.message, new RegExp(`Session ${sa.sessionId} not found`));
    }
    assert.deepEqual((await b.call(id++, 'session/delete', { session_id: sa.sessionId })).result, {}, 'delete of an unknown id succeeds…');
    const listed = await b.call(id++, 'session/list', {});
    assert.deepEqual(listed.result.sessions.map((s: any) => s.sessionId), [sb.sessionId]);
    const own = await a.call(id++, 'prompt', { session_id: sa.sessionId, prompt: [{ type: 'text', text: 'x' }] });
    assert.equal(own.result.stopReason, 'end_turn', '…and deleted nothing');
  });

  it('lets any connection of the user resume a session without a token; the newer wins and the older is told and refused', async () => {
    const a = await connect();
    const s = await newSession(a, 1);
    const b = await connect();
    const missing = await b.call(1, 'resume_session', { cwd: '/w', session_id: 'punie-session-nope' });
    assert.equal(missing.error.code, -32002);
    assert.match(missing.error.message, /not found or expired/);
    const wrong = await b.call(2, 'resume_session', { cwd: '/w', session_id: s.sessionId, resume_token: 'x'.repeat(43) });
    assert.match(wrong.error.message, /Invalid resume token/);
    const taken = await b.call(3, 'session/resume', { cwd: '/w', sessionId: s.sessionId, mcpServers: [] });
    assert.ok(taken.result, 'plain ACP resume: no Punie token needed');
    const told = await a.next((m) => m.method === '_punie/session_taken');
    assert.equal(told.params.sessionId, s.sessionId);
    const refused = await a.call(4, 'prompt', { session_id: s.sessionId, prompt: [{ type: 'text', text: 'x' }] });
    assert.equal(refused.error.code, -32032);
    assert.match(refused.error.message, /opened by a newer connection/);
    const tokenBack = await a.call(5, 'resume_session', { cwd: '/w', session_id: s.sessionId, resume_token: s.token });
    assert.equal(tokenBack.error.code, -32032, 'its old token does not take the session back by itself');
    assert.equal((await b.call(6, 'prompt', { session_id: s.sessionId, prompt: [{ type: 'text', text: 'x' }] })).result.stopReason, 'end_turn');
  });

  it('keeps a disconnected client\'s other sessions when one is resumed (Punie deleted them)', async () => {
    const [s1, s2] = await sessionsLeftBehind(2);
    const b = await connect();
    assert.ok((await b.call(3, 'resume_session', { cwd: '/w', session_id: s1.sessionId, resume_token: s1.token })).result);
    assert.ok((await b.call(4, 'resume_session', { cwd: '/w', session_id: s2.sessionId, resume_token: s2.token })).result);
  });

  it('expires sessions after the grace period (injected clock) and not before', async () => {
    const [s] = await sessionsLeftBehind(1);
    now += 299_000;
    assert.equal(server.store.sweep(), 0);
    now += 2_000;
    assert.equal(server.store.sweep(), 1);
    const b = await connect();
    const late = await b.call(2, 'resume_session', { cwd: '/w', session_id: s.sessionId, resume_token: s.token });
    assert.match(late.error.message, /not found or expired/);
  });

  it('keeps sweeping when one cleanup step throws', async () => {
    const [s1, s2] = await sessionsLeftBehind(2);
    const store = server.store;
    const original = store.unload.bind(store);
    let calls = 0;
    store.unload = (id: string, reason: string) => {
      calls++;
      if (id === s1.sessionId) throw new Error('boom');
      original(id, reason);
    };
    now += 301_000;
    store.sweep();
    assert.equal(calls, 2, 'both sessions visited');
    assert.equal(store.sessionCount, 0, 'the throwing one is dropped too');
    assert.ok(s2);
  });
});
