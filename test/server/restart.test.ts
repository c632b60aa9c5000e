import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeOpenAi, chunk, textStream } from '../fixtures/fakeOpenAi';
import { until } from '../helpers/client';
import { RawClient } from '../helpers/server';
import { ServerProcess } from '../helpers/serverProcess';

/** A `punie serve`-like child process is killed with SIGKILL mid-turn and restarted on the same data dir. */
describe('server restart: durable sessions', function () {
  this.timeout(30_000);
  let dir: string;
  let fake: FakeOpenAi;
  const procs: ServerProcess[] = [];
  const clients: RawClient[] = [];

  const start = async () => {
    const proc = await ServerProcess.start({ dataDir: dir, token: 'secret', logLevel: 'info', allowedModels: ['local:*'] });
    procs.push(proc);
    return proc;
  };
  const connect = async (proc: ServerProcess) => {
    const c = await RawClient.connect(proc.urls.acp, { headers: { authorization: 'Bearer secret' } });
    clients.push(c);
    return c;
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'punie-restart-'));
    fake = await FakeOpenAi.start();
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.socket.terminate();
    for (const p of procs.splice(0)) await p.stop();
    await fake.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('after a kill -9 mid-turn, a new connection lists, loads and prompts the session; the model gets the earlier turns', async () => {
    const pieces = Array.from({ length: 200 }, (_, i) => `p${i} `);
    fake.reply(textStream('The first ', 'answer.'), { kind: 'stream', chunks: [chunk({ role: 'assistant', content: '' }), ...pieces.map((p) => chunk({ content: p }))], delayMs: 15, end: 'hang' });
    const first = await start();
    const a = await connect(first);
    await a.call(1, 'initialize', { protocolVersion: 1 });
    const created = await a.call(2, 'session/new', { cwd: '/w', mcpServers: [], _meta: { model: `local:${fake.baseURL}/fake` } });
    const { sessionId } = created.result;
    assert.equal((await a.call(3, 'session/prompt', { sessionId, prompt: [{ type: 'text', text: 'first question' }] })).result.stopReason, 'end_turn');
    a.send({ jsonrpc: '2.0', id: 'p2', method: 'session/prompt', params: { sessionId, prompt: [{ type: 'text', text: 'second question' }] } });
    await until(() => a.updates(sessionId).length >= 30, 'part of the second answer', 10_000);
    await new Promise((r) => setTimeout(r, 1200)); // the store fsyncs at least once a second
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));

    const second = await start();
    const b = await connect(second);
    const init = await b.call(1, 'initialize', { protocolVersion: 1 });
    assert.equal(init.result.agentCapabilities.loadSession, true);
    assert.deepEqual(init.result.agentCapabilities.sessionCapabilities, { list: {}, resume: {}, close: {}, delete: {} });
    const listed = await b.call(2, 'session/list', {});
    assert.deepEqual(
      listed.result.sessions.map((s: any) => [s.sessionId, s.cwd, s.title]),
      [[sessionId, '/w', 'first question']],
    );
    const resumed = await b.call(3, 'session/resume', { sessionId, cwd: '/w', _meta: { prompts: ['p2'] } });
    const status = resumed.result._meta.prompts.p2;
    assert.equal(status.status, 'failed');
    assert.equal(status.error.code, -32031, 'the interrupted prompt has its own error kind');
    assert.match(status.error.message, /Interrupted: the server restarted/);
    assert.equal(status.error.data.kind, 'interrupted');

    const before = b.messages.length;
    const loaded = await b.call(4, 'session/load', { sessionId, cwd: '/w', mcpServers: [] });
    assert.ok(loaded.result);
    const replay = b.messages.slice(before).filter((m) => m.method === 'session/update').map((m) => m.params.update);
    const said = (kind: string) => replay.filter((u) => u.sessionUpdate === kind).map((u) => u.content.text).join('|');
    assert.equal(said('user_message_chunk'), 'first question|second question');
    const answer = said('agent_message_chunk');
    assert.ok(answer.startsWith('The first answer.|p0 p1 p2 '), answer.slice(0, 80));
    const shown = a
      .updates(sessionId)
      .map((m: any) => m.params.update)
      .filter((u: any) => u.sessionUpdate === 'agent_message_chunk')
      .map((u: any) => u.content.text)
      .join('');
    assert.ok(shown.startsWith('The first answer.'), shown.slice(0, 40));
    const kept = shown.slice('The first answer.'.length);
    assert.ok(kept.startsWith(answer.split('|')[1]) && answer.split('|')[1].length > 0, 'the partial answer kept is a prefix of what was shown');

    fake.reply(textStream('third answer'));
    const third = await b.call(5, 'session/prompt', { sessionId, prompt: [{ type: 'text', text: 'third question' }] });
    assert.equal(third.result.stopReason, 'end_turn');
    const sent = fake.requests[2].messages.map((m: any) => `${m.role}:${typeof m.content === 'string' ? m.content.slice(0, 40) : ''}`);
    assert.deepEqual(sent.slice(1, 4), ['user:first question', 'assistant:The first answer.', 'user:second question']);
    assert.match(sent[4], /^assistant:p0 p1 /);
    assert.match(fake.requests[2].messages[4].content, /\[interrupted: the server restarted\]$/);
    assert.equal(sent[5], 'user:third question');
  });
});
