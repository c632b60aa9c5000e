import assert from 'node:assert/strict';
import { numberedChunk } from '../../src/agent/models/testModel';
import type { PunieServer } from '../../src/server/server';
import { RawClient, startServer } from '../helpers/server';

const expectedText = (n: number, size: number) => Array.from({ length: n }, (_, i) => numberedChunk(i, size)).join('');
const textOf = (messages: any[]) =>
  messages
    .filter((m) => m.method === 'session/update' && m.params.update.sessionUpdate === 'agent_message_chunk')
    .map((m) => m.params.update.content.text)
    .join('');
const seqs = (messages: any[]) => messages.filter((m) => m.method === 'session/update').map((m) => m.params._meta.seq);

describe('server resume: replay, prompt outcomes and agent requests across a dropped connection', () => {
  let server: PunieServer;
  const clients: RawClient[] = [];
  let now = 1_000_000;

  async function connect(): Promise<RawClient> {
    const client = await RawClient.connect(server.urls().acp);
    clients.push(client);
    await client.call('init', 'initialize', { protocolVersion: 1 });
    return client;
  }

  async function drop(client: RawClient): Promise<void> {
    client.socket.terminate();
    await client.closed;
    // The server has seen the close once the session has no live owner.
    for (let i = 0; i < 100 && server.connectionCount > clients.filter((c) => c.socket.readyState === c.socket.OPEN).length; i++) {
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  async function startPrompt(model: string) {
    const a = await connect();
    const created = await a.call('new', 'session/new', { cwd: '/w', mcpServers: [], _meta: { model } });
    const { sessionId, _meta } = created.result;
    a.send({ jsonrpc: '2.0', id: 'p1', method: 'session/prompt', params: { sessionId, prompt: [{ type: 'text', text: 'go' }] } });
    return { a, sessionId, token: _meta.resume_token as string };
  }

  beforeEach(async () => {
    now = 1_000_000;
    server = await startServer({ replayMaxUpdates: 1000, gracePeriodMs: 60_000, now: () => now });
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.socket.terminate();
    await server.close();
  });

  it('replays exactly the missed updates in order, then delivers the outcome of the prompt that was in flight', async () => {
    const { a, sessionId, token } = await startPrompt('test?chunks=60&chunkSize=20&delayMs=2');
    await a.next((m) => m.method === 'session/update' && m.params._meta.seq === 10);
    await drop(a);
    const seen = a.messages.filter((m) => m.method === 'session/update');
    const lastSeq = Math.max(...seqs(seen));

    const b = await connect();
    const resumed = await b.call('r', 'session/resume', { sessionId, cwd: '/w', resumeToken: token, _meta: { seq: lastSeq, prompts: ['p1'] } });
    assert.equal(resumed.result._meta.replay.status, 'replayed');
    assert.ok(['running', 'finished'].includes(resumed.result._meta.prompts.p1.status));
    assert.notEqual(resumed.result._meta.resume_token, token, 'the token is rotated');
    const finished = await b.next((m) => m.method === '_punie/prompt_finished');
    assert.deepEqual({ ...finished.params, _meta: undefined }, { sessionId, requestId: 'p1', stopReason: 'end_turn', _meta: undefined });

    const replayed = b.messages.filter((m) => m.method === 'session/update');
    const all = [...seen, ...replayed];
    // 60 chunks and the slash-command announcement after session/new.
    assert.deepEqual(seqs(all), Array.from({ length: 61 }, (_, i) => i + 1), 'every update exactly once, in order');
    assert.equal(textOf(all), expectedText(60, 20));
    assert.ok(finished.params._meta.seq > 61, 'the outcome is numbered after the last update');
    assert.ok(!b.messages.some((m) => m.id === 'p1'), 'the answer went to the dropped connection only');
  });

  it('answers the status of a prompt that finished while the client was away, and of one it never received', async () => {
    const { a, sessionId, token } = await startPrompt('test?chunks=20&chunkSize=8&delayMs=3');
    await a.next((m) => m.method === 'session/update');
    await drop(a);
    // The turn ends with nobody connected; its outcome is kept for the resume.
    const agent = server.store.owned(sessionId, 'client-0').agent;
    for (let i = 0; i < 500 && agent.isRunning; i++) await new Promise((r) => setTimeout(r, 5));
    assert.equal(agent.isRunning, false);
    const b = await connect();
    const resumed = await b.call('r', 'session/resume', { sessionId, cwd: '/w', resumeToken: token, _meta: { seq: 0, prompts: ['p1', 'never-sent'] } });
    assert.deepEqual(resumed.result._meta.prompts, {
      p1: { status: 'finished', stopReason: 'end_turn' },
      'never-sent': { status: 'unknown' },
    });
    const finished = b.messages.filter((m) => m.method === '_punie/prompt_finished');
    assert.equal(finished.length, 1, 'the replay carries the outcome too');
    assert.equal(b.messages.indexOf(finished[0]) < b.messages.indexOf(resumed), true);
  });

  it('keeps no outcome notification when the answer could go to the connection that asked', async () => {
    const a = await connect();
    const created = await a.call('new', 'session/new', { cwd: '/w', mcpServers: [] });
    const done = await a.call('p', 'session/prompt', { sessionId: created.result.sessionId, prompt: [{ type: 'text', text: 'hi' }] });
    assert.equal(done.result.stopReason, 'end_turn');
    assert.ok(!a.messages.some((m) => m.method === '_punie/prompt_finished'));
  });

  it('answers a gap, not a partial replay, when the replay buffer overflowed', async () => {
    await server.close();
    server = await startServer({ replayMaxUpdates: 5 });
    const { a, sessionId, token } = await startPrompt('test?chunks=30&chunkSize=8&delayMs=1'); // 30 paced chunks (a burst would be one update) after the commands announcement
    await a.next((m) => m.id === 'p1');
    await drop(a);
    const b = await connect();
    const resumed = await b.call('r', 'session/resume', { sessionId, cwd: '/w', resumeToken: token, _meta: { seq: 3, prompts: ['p1'] } });
    assert.equal(resumed.result._meta.replay.status, 'gap');
    assert.match(resumed.result._meta.replay.reason, /dropped from the replay buffer/);
    assert.deepEqual(resumed.result._meta.prompts.p1, { status: 'finished', stopReason: 'end_turn' });
    assert.equal(b.updates(sessionId).length, 0);
    // session/load then gives the whole transcript and the seq it covers.
    const loaded = await b.call('l', 'session/load', { sessionId, cwd: '/w', mcpServers: [] });
    assert.equal(loaded.result._meta.seq, 31, 'the answer reached the asking connection: no outcome notification');
    assert.equal(textOf(b.messages), expectedText(30, 8));
  });

  it('keeps the token a client resumed with valid until it uses the newer one (its answer may have been lost)', async () => {
    const a = await connect();
    const created = await a.call('new', 'session/new', { cwd: '/w', mcpServers: [] });
    const { sessionId } = created.result;
    const t0 = created.result._meta.resume_token;
    const resumeWith = async (token: string) => {
      await drop(clients[clients.length - 1]);
      const next = await connect();
      return next.call('r', 'session/resume', { sessionId, cwd: '/w', resumeToken: token });
    };
    const first = await resumeWith(t0);
    const t1 = first.result._meta.resume_token;
    // The answer carrying t1 "was lost": t0 still works, and so does t1 afterwards.
    const second = await resumeWith(t0);
    const t2 = second.result._meta.resume_token;
    assert.ok(t1 !== t0 && t2 !== t1);
    assert.ok((await resumeWith(t2)).result, 'the newest token works');
    const stale = await resumeWith(t1);
    assert.equal(stale.error.code, -32602, 'a token older than the one last used is refused');
    assert.match(stale.error.message, /Invalid resume token/);
  });

  it('moves a session to a newer connection that resumes it with the token, telling the older one', async () => {
    const a = await connect();
    const created = await a.call('new', 'session/new', { cwd: '/w', mcpServers: [] });
    const b = await connect();
    const reply = await b.call('r', 'session/resume', { sessionId: created.result.sessionId, cwd: '/w', resumeToken: created.result._meta.resume_token });
    assert.ok(reply.result._meta.resume_token);
    assert.equal((await a.next((m) => m.method === '_punie/session_taken')).params.sessionId, created.result.sessionId);
  });

  it('sends a pending agent request again, with the same id, to the connection that resumes', async () => {
    const a = await connect();
    const created = await a.call('new', 'session/new', { cwd: '/w', mcpServers: [] });
    const { sessionId } = created.result;
    const session = server.store.owned(sessionId, 'client-0');
    const answer = session.request('fs/read_text_file', { sessionId, path: '/w/a.txt' }, new AbortController().signal);
    const first = await a.next((m) => m.method === 'fs/read_text_file');
    await drop(a);
    // Made while nobody is connected: it waits too.
    const later = session.request('terminal/create', { sessionId, command: 'ls' }, new AbortController().signal);

    const b = await connect();
    const resumed = await b.call('r', 'session/resume', { sessionId, cwd: '/w', resumeToken: created.result._meta.resume_token, _meta: { seq: 0 } });
    assert.ok(resumed.result);
    const again = await b.next((m) => m.method === 'fs/read_text_file');
    assert.equal(again.id, first.id, 'the id is intact');
    assert.deepEqual(again.params, first.params);
    const create = await b.next((m) => m.method === 'terminal/create');
    b.send({ jsonrpc: '2.0', id: again.id, result: { content: 'hello' } });
    b.send({ jsonrpc: '2.0', id: create.id, result: { terminalId: 't1' } });
    assert.deepEqual(await answer, { content: 'hello' });
    assert.deepEqual(await later, { terminalId: 't1' });
    assert.equal(session.outbound.size, 0);
  });

  it('fails a waiting agent request with a clear error when the session expires, and on cancel', async () => {
    const a = await connect();
    const created = await a.call('new', 'session/new', { cwd: '/w', mcpServers: [] });
    const session = server.store.owned(created.result.sessionId, 'client-0');
    const cancel = new AbortController();
    const cancelled = session.request('session/request_permission', {}, cancel.signal);
    const expiring = session.request('fs/read_text_file', {}, new AbortController().signal);
    await a.next((m) => m.method === 'fs/read_text_file');
    await drop(a);
    cancel.abort();
    await assert.rejects(cancelled, /session\/request_permission .* was cancelled/);
    now += 61_000;
    assert.equal(server.store.sweep(), 1);
    await assert.rejects(expiring, /fs\/read_text_file \(request id ".+"\) failed: session .* expired after the 60000 ms grace period/);
  });
});
