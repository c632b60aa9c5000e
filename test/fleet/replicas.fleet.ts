/**
 * Several `punie serve` replicas (child processes) sharing one real redis-server: a client's reconnect
 * lands on another replica (a proxy that switches targets), the replica running a turn is killed, Redis
 * restarts during a turn, and two users stay apart on every replica.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { numberedChunk } from '../../src/agent/models/testModel';
import { PERMISSION_META } from '../../src/protocol/punie';
import { createClient } from 'redis';
import { RedisKeys } from '../../src/store/redisKeys';
import { hashToken } from '../../src/server/users';
import { until } from '../helpers/client';
import { TestProxy } from '../helpers/proxy';
import { RedisServer } from '../helpers/redisServer';
import { RawClient } from '../helpers/server';
import { ServerProcess } from '../helpers/serverProcess';

const LEASE_MS = 1000;
const expectedText = (n: number, size: number) => Array.from({ length: n }, (_, i) => numberedChunk(i, size)).join('');
const updates = (c: RawClient, sessionId: string) => c.messages.filter((m) => m.method === 'session/update' && m.params.sessionId === sessionId);
const textOf = (messages: any[]) =>
  messages
    .filter((m) => m.params.update.sessionUpdate === 'agent_message_chunk')
    .map((m) => m.params.update.content.text)
    .join('');

describe('fleet: punie serve replicas sharing Redis', function () {
  this.timeout(60_000);
  let redis: RedisServer;
  let dir: string;
  let usersFile: string;
  const procs: ServerProcess[] = [];
  const clients: RawClient[] = [];
  const proxies: TestProxy[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'punie-fleet-'));
    redis = await RedisServer.start();
    usersFile = join(dir, 'users.json');
    const entry = (token: string) => `sha256:${hashToken(token).toString('hex')}`;
    await writeFile(usersFile, JSON.stringify({ alice: entry('alice-token'), bob: entry('bob-token') }));
  });
  after(async () => {
    await redis?.stop();
    await rm(dir, { recursive: true, force: true });
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed') for (const p of procs) process.stderr.write(`--- replica log\n${p.log.slice(-40).join('\n')}\n`);
    for (const c of clients.splice(0)) c.socket.terminate();
    for (const p of proxies.splice(0)) await p.close();
    for (const p of procs.splice(0)) await p.stop();
    if (!redis.running) await redis.resume();
  });

  async function replica(name: string, options: Record<string, unknown> = {}): Promise<ServerProcess> {
    const proc = await ServerProcess.start({ store: { url: redis.url }, usersFile, fleetLeaseMs: LEASE_MS, replicaId: name, gracePeriodMs: 60_000, logLevel: 'info', ...options });
    procs.push(proc);
    return proc;
  }

  async function connect(url: string, user = 'alice', clientCapabilities?: object): Promise<RawClient> {
    const c = await RawClient.connect(url, { headers: { authorization: `Bearer ${user}-token` } });
    clients.push(c);
    await c.call('init', 'initialize', { protocolVersion: 1, clientCapabilities });
    return c;
  }

  async function health(proc: ServerProcess): Promise<any> {
    return (await fetch(proc.urls.health)).json();
  }

  /** A client on `a` (through a proxy) starts a numbered answer and has seen part of it. */
  async function promptThroughProxy(a: ServerProcess, model: string) {
    const proxy = await TestProxy.start(Number(new URL(a.urls.acp).port));
    proxies.push(proxy);
    const c = await connect(proxy.url('/acp'));
    const created = await c.call('new', 'session/new', { cwd: '/w', mcpServers: [], _meta: { model } });
    const { sessionId } = created.result;
    c.send({ jsonrpc: '2.0', id: 'p1', method: 'session/prompt', params: { sessionId, prompt: [{ type: 'text', text: 'go' }] } });
    await until(() => updates(c, sessionId).length >= 10, 'part of the answer', 10_000);
    return { proxy, c, sessionId, token: created.result._meta.resume_token as string };
  }

  it('names the store in /health, lists a session made on one replica on the others, and keeps two users apart', async () => {
    const [a, b] = [await replica('a'), await replica('b')];
    assert.deepEqual(await health(a).then((h) => [h.status, h.store]), ['ok', 'redis']);
    const alice = await connect(a.urls.acp);
    const created = await alice.call('new', 'session/new', { cwd: '/alice', mcpServers: [] });
    const { sessionId } = created.result;
    assert.equal((await alice.call('p', 'session/prompt', { sessionId, prompt: [{ type: 'text', text: 'hello from a' }] })).result.stopReason, 'end_turn');

    const bob = await connect(b.urls.acp, 'bob');
    assert.deepEqual((await bob.call('l', 'session/list', {})).result.sessions, []);
    const stolen = await bob.call('r', 'session/resume', { sessionId, cwd: '/w' });
    assert.equal(stolen.error.code, -32002, 'another user is told it does not exist');

    const aliceOnB = await connect(b.urls.acp);
    const listed = await aliceOnB.call('l', 'session/list', {});
    assert.deepEqual(listed.result.sessions.map((s: any) => [s.sessionId, s.cwd, s.title]), [[sessionId, '/alice', 'hello from a']]);
    const before = aliceOnB.messages.length;
    await aliceOnB.call('load', 'session/load', { sessionId, cwd: '/alice', mcpServers: [] });
    const replayed = aliceOnB.messages.slice(before).filter((m) => m.method === 'session/update').map((m) => m.params.update.sessionUpdate);
    assert.ok(replayed.includes('user_message_chunk') && replayed.includes('agent_message_chunk'), replayed.join());
    // The replica that had it lets it go: its connection is told, as when another window takes a session.
    await alice.next((m) => m.method === '_punie/session_taken' && m.params.sessionId === sessionId);
  });

  /** Moves the client of `promptThroughProxy` to `b` (the proxy switches, the connection is cut) and resumes there. */
  async function moveTo(b: ServerProcess, moved: Awaited<ReturnType<typeof promptThroughProxy>>) {
    const { proxy, c, sessionId, token } = moved;
    proxy.targetPort = Number(new URL(b.urls.acp).port);
    proxy.cut();
    await c.closed;
    const seen = updates(c, sessionId);
    const lastSeq = seen.length ? Math.max(...seen.map((m) => m.params._meta.seq)) : 0;
    const c2 = await connect(proxy.url('/acp'), 'alice', { fs: { readTextFile: true, writeTextFile: true } });
    const resumed = await c2.call('r', 'session/resume', { sessionId, cwd: '/w', resumeToken: token, _meta: { seq: lastSeq, prompts: ['p1'] } });
    assert.ok(resumed.result, JSON.stringify(resumed));
    return { c2, seen, resumed: resumed.result };
  }

  const finished = (c: RawClient, requestId: string, timeoutMs = 20_000) => c.next((m) => m.method === '_punie/prompt_finished' && m.params.requestId === requestId, timeoutMs);

  it('a client whose reconnect lands on another replica mid-turn: the turn goes on where it started, every chunk reaches the client once, and its end too', async () => {
    const [a, b] = [await replica('a'), await replica('b')];
    const moved = await promptThroughProxy(a, 'test?chunks=300&chunkSize=20&delayMs=5');
    const { sessionId } = moved;
    const { c2, seen, resumed } = await moveTo(b, moved);
    assert.equal(resumed._meta.replay.status, 'replayed', JSON.stringify(resumed));
    assert.equal(resumed._meta.prompts.p1.status, 'running', 'the turn still runs on a');
    const end = await finished(c2, 'p1');
    assert.equal(end.params.stopReason, 'end_turn');
    const all = [...seen, ...updates(c2, sessionId)];
    const seqs = all.map((m) => m.params._meta.seq);
    assert.deepEqual(seqs, Array.from({ length: seqs.length }, (_, i) => i + 1), 'every update once, in order');
    assert.equal(textOf(all), expectedText(300, 20));
    assert.ok(a.log.some((l) => /question p1 .* ended after .*: end_turn/.test(l)), 'the turn ran to its end on a');
    assert.ok(b.log.some((l) => /its turn runs on server a; relaying it here/.test(l)));
    assert.ok(!b.log.some((l) => /question p1 /.test(l)), 'b never ran it');
    // The session moved to b with the turn's end: the next prompt runs there.
    assert.equal((await c2.call('p2', 'session/prompt', { sessionId, prompt: [{ type: 'text', text: 'again' }] })).result.stopReason, 'end_turn');
    assert.ok(b.log.some((l) => /question p2 .* ended/.test(l)));
  });

  it('session/load on another replica mid-turn replays the answer so far, then relays the rest live, each chunk once', async () => {
    const [a, b] = [await replica('a'), await replica('b')];
    const { c, sessionId } = await promptThroughProxy(a, 'test?chunks=300&chunkSize=20&delayMs=5');
    const c2 = await connect(b.urls.acp);
    const loaded = await c2.call('load', 'session/load', { sessionId, cwd: '/w', mcpServers: [] });
    assert.ok(loaded.result, JSON.stringify(loaded));
    await c.next((m) => m.method === '_punie/session_taken' && m.params.sessionId === sessionId);
    assert.equal((await finished(c2, 'p1')).params.stopReason, 'end_turn');
    assert.equal(textOf(updates(c2, sessionId)), expectedText(300, 20), 'transcript then live updates: the whole answer once');
    assert.ok(a.log.some((l) => /question p1 .* ended after .*: end_turn/.test(l)), 'the turn ran to its end on a');
  });

  it('a cancel sent to the replica holding the client stops the turn on the replica running it', async () => {
    const [a, b] = [await replica('a'), await replica('b')];
    const moved = await promptThroughProxy(a, 'test?chunks=5000&chunkSize=20&delayMs=5');
    const { c2 } = await moveTo(b, moved);
    const prompt = c2.call('p2', 'session/prompt', { sessionId: moved.sessionId, prompt: [{ type: 'text', text: 'meanwhile' }] });
    assert.equal((await prompt).error.data.kind, 'running_elsewhere', 'no second prompt while the first runs on a');
    c2.send({ jsonrpc: '2.0', method: 'session/cancel', params: { sessionId: moved.sessionId } });
    assert.equal((await finished(c2, 'p1', 10_000)).params.stopReason, 'cancelled');
    await a.waitForLog(/question p1 .* ended after .*: cancelled/);
    const chunks = updates(c2, moved.sessionId).length + moved.c.messages.length;
    assert.ok(chunks < 5000, `stopped early (${chunks} messages)`);
  });

  it('permission and file requests of a turn running on one replica reach the client on another, and its answers come back', async () => {
    const [a, b] = [await replica('a'), await replica('b')];
    const proxy = await TestProxy.start(Number(new URL(a.urls.acp).port));
    proxies.push(proxy);
    const c = await connect(proxy.url('/acp'), 'alice', { fs: { readTextFile: true, writeTextFile: true } });
    const created = await c.call('new', 'session/new', { cwd: '/w', mcpServers: [], _meta: { model: 'test:tools?delayMs=400' } });
    const { sessionId } = created.result;
    c.send({ jsonrpc: '2.0', id: 'p1', method: 'session/prompt', params: { sessionId, prompt: [{ type: 'text', text: 'look at notes.txt' }] } });
    await until(() => updates(c, sessionId).length >= 1, 'the turn to start', 10_000);
    const { c2 } = await moveTo(b, { proxy, c, sessionId, token: created.result._meta.resume_token });
    const asked: string[] = [];
    // A request may already have come while the client moved (CI caught one): `each` answers those too.
    c2.each((m) => {
      if (m.id === undefined || !m.method) return;
      asked.push(m.method);
      const result =
        m.method === 'session/request_permission' ? { outcome: { outcome: 'selected', optionId: m.params.options.find((o: any) => o.kind === 'allow_once').optionId } }
        : m.method === 'fs/read_text_file' ? { content: 'first line\nsecond line\n' }
        : {};
      c2.send({ jsonrpc: '2.0', id: m.id, result });
    });
    assert.equal((await finished(c2, 'p1')).params.stopReason, 'end_turn');
    assert.ok(asked.includes('fs/read_text_file') && asked.includes('session/request_permission') && asked.includes('fs/write_text_file'), asked.join());
    const text = textOf(updates(c2, sessionId));
    assert.match(text, /I read `notes.txt`: 3 lines/, 'the file read on b reached the model on a');
    assert.doesNotMatch(text, /rejected|failed/, text);
    const seqs = c2.messages.filter((m) => typeof m.params?._meta?.seq === 'number').map((m) => m.params._meta.seq);
    assert.deepEqual(seqs, [...new Set(seqs)].sort((x, y) => x - y), 'numbered once, in order: the question and its answer are written down on a only');
    const answered = updates(c2, sessionId).filter((m) => m.params.update._meta?.[PERMISSION_META]?.outcome);
    assert.ok(answered.length >= 1 && answered.every((m) => m.params.update._meta[PERMISSION_META].outcome.outcome === 'selected'), 'the answers given on b are in the log');
    assert.ok(a.log.some((l) => /question p1 .* ended after .*: end_turn/.test(l)), 'the turn ran on a');
  });

  it('SIGKILL of the replica running a turn while its client is on another: the turn is reported interrupted there and the session goes on', async () => {
    const [a, b] = [await replica('a'), await replica('b')];
    const moved = await promptThroughProxy(a, 'test?chunks=5000&chunkSize=20&delayMs=5');
    const { c2, seen } = await moveTo(b, moved);
    await until(() => updates(c2, moved.sessionId).length >= 20, 'relayed updates', 10_000);
    a.child.kill('SIGKILL');
    const started = Date.now();
    const end = await finished(c2, 'p1', 10_000);
    assert.ok(Date.now() - started < 3 * LEASE_MS + 1000, `told after ${Date.now() - started} ms`);
    assert.equal(end.params.error.code, -32031);
    assert.equal(end.params.error.data.kind, 'interrupted');
    const all = [...seen, ...updates(c2, moved.sessionId)];
    const seqs = all.map((m) => m.params._meta.seq);
    assert.deepEqual(seqs, Array.from({ length: seqs.length }, (_, i) => i + 1), 'every update once, in order');
    assert.ok(expectedText(5000, 20).startsWith(textOf(all)));
    // The session moved to b: its next turn runs there (and is cancelled there).
    c2.send({ jsonrpc: '2.0', id: 'p2', method: 'session/prompt', params: { sessionId: moved.sessionId, prompt: [{ type: 'text', text: 'again' }] } });
    await b.waitForLog(/question p2 .* started/);
    c2.send({ jsonrpc: '2.0', method: 'session/cancel', params: { sessionId: moved.sessionId } });
    assert.equal((await c2.next((m) => m.id === 'p2')).result.stopReason, 'cancelled');
  });

  /** Waits until the session's log in Redis holds update `seq`. */
  async function untilStored(sessionId: string, seq: number): Promise<void> {
    const db = createClient({ url: redis.url });
    await db.connect();
    try {
      await until(async () => {
        const last = (await db.xRevRange(new RedisKeys().log(sessionId), '+', '-', { COUNT: 1 }))?.[0];
        return last !== undefined && Number(last.id.split('-')[0]) >= seq;
      }, `update ${seq} in Redis`, 5000);
    } finally {
      await db.quit();
    }
  }

  it('SIGKILL of the replica running a turn: after its lease lapses another replica marks the turn interrupted (-32031) and the session goes on', async () => {
    const [a, b] = [await replica('a'), await replica('b')];
    const { proxy, c, sessionId, token } = await promptThroughProxy(a, 'test?chunks=2000&chunkSize=20&delayMs=5');
    await until(() => updates(c, sessionId).length > 0, 'the first updates of the turn');
    const seen = updates(c, sessionId);
    const lastSeq = Math.max(...seen.map((m) => m.params._meta.seq));
    // What the client saw is in Redis before a dies (a batch reaches it within 10 ms on a quiet machine; a
    // killed replica's unwritten tail is the "gap" path, tested with the embedded store).
    await untilStored(sessionId, lastSeq);
    a.child.kill('SIGKILL');
    await new Promise((r) => a.child.once('exit', r));
    proxy.targetPort = Number(new URL(b.urls.acp).port);
    await c.closed;

    const c2 = await connect(proxy.url('/acp'));
    const started = Date.now();
    const resumed = await c2.call('r', 'session/resume', { sessionId, cwd: '/w', resumeToken: token, _meta: { seq: lastSeq, prompts: ['p1'] } }).catch((err: Error) => {
      throw new Error(`${err.message}\n${b.log.join('\n')}`);
    });
    const waited = Date.now() - started;
    assert.ok(waited < 3 * LEASE_MS, `resumed after ${waited} ms`);
    // Killed a moment ago, a may still hold the lease: b relays the turn until it lapses, then reports it interrupted.
    const status = resumed.result._meta.prompts.p1;
    const error = status.status === 'running' ? (await finished(c2, 'p1', 10_000)).params.error : status.error;
    assert.equal(error.code, -32031);
    assert.equal(error.data.kind, 'interrupted');
    assert.equal(resumed.result._meta.replay.status, 'replayed');
    const all = [...seen, ...updates(c2, sessionId)];
    const seqs = all.map((m) => m.params._meta.seq);
    assert.deepEqual(seqs, Array.from({ length: seqs.length }, (_, i) => i + 1), 'what a wrote reaches the client once, in order');
    assert.ok(expectedText(2000, 20).startsWith(textOf(all)));
    // The session goes on on b: a new turn numbers its updates after the stored ones, and can be cancelled there.
    c2.send({ jsonrpc: '2.0', id: 'p2', method: 'session/prompt', params: { sessionId, prompt: [{ type: 'text', text: 'again' }] } });
    await until(() => updates(c2, sessionId).some((m) => m.params._meta.seq > seqs.length + 5), 'the next turn on b', 10_000);
    c2.send({ jsonrpc: '2.0', method: 'session/cancel', params: { sessionId } });
    assert.equal((await c2.next((m) => m.id === 'p2')).result.stopReason, 'cancelled');
  });

  it('Redis restarting during a turn: /health says degraded, new sessions are refused, the turn goes on and is stored once Redis is back', async () => {
    const [a, b] = [await replica('a'), await replica('b')];
    const c = await connect(a.urls.acp);
    const { sessionId } = (await c.call('new', 'session/new', { cwd: '/w', mcpServers: [], _meta: { model: 'test?chunks=300&chunkSize=20&delayMs=5' } })).result;
    c.send({ jsonrpc: '2.0', id: 'p1', method: 'session/prompt', params: { sessionId, prompt: [{ type: 'text', text: 'go' }] } });
    await until(() => updates(c, sessionId).length >= 10, 'part of the answer', 10_000);
    await redis.kill();
    await until(async () => (await health(a)).status === 'degraded', '/health to say degraded', 10_000);
    const refused = await c.call('new2', 'session/new', { cwd: '/w', mcpServers: [] });
    assert.equal(refused.error.data.kind, 'store_unavailable');
    assert.match(refused.error.message, /cannot save new conversations/);
    await a.waitForLog(/redis \(store\) .* unavailable/);
    await redis.resume();
    const answer = await c.next((m) => m.id === 'p1', 20_000);
    assert.equal(answer.result.stopReason, 'end_turn');
    assert.equal(textOf(updates(c, sessionId)), expectedText(300, 20), 'the live client missed nothing');
    await until(async () => (await health(a)).status === 'ok', '/health to say ok again', 10_000);
    await a.waitForLog(/redis \(store\) .* is back/);

    const c2 = await connect(b.urls.acp);
    const before = c2.messages.length;
    await c2.call('load', 'session/load', { sessionId, cwd: '/w', mcpServers: [] });
    const replayed = c2.messages.slice(before).filter((m) => m.method === 'session/update');
    assert.equal(textOf(replayed), expectedText(300, 20), 'what was buffered during the outage was stored');
  });

  it('a turn whose output outgrows the outage buffer is stopped with a plain error; the session stays usable once Redis is back', async () => {
    const a = await replica('a', { storeBufferBytes: 20_000 });
    const c = await connect(a.urls.acp);
    const { sessionId } = (await c.call('new', 'session/new', { cwd: '/w', mcpServers: [], _meta: { model: 'test?chunks=5000&chunkSize=20&delayMs=2' } })).result;
    c.send({ jsonrpc: '2.0', id: 'p1', method: 'session/prompt', params: { sessionId, prompt: [{ type: 'text', text: 'go' }] } });
    await until(() => updates(c, sessionId).length >= 10, 'part of the answer', 10_000);
    await redis.kill();
    const answer = await c.next((m) => m.id === 'p1', 20_000);
    assert.equal(answer.error.data.kind, 'store_unavailable');
    assert.match(answer.error.message, /stopped this answer: it could not save it for too long/);
    await a.waitForLog(/more than 20000 bytes of this session wait for Redis/);
    await redis.resume();
    await until(async () => (await health(a)).status === 'ok', '/health to say ok again', 10_000);
    const before = updates(c, sessionId).length;
    c.send({ jsonrpc: '2.0', id: 'p2', method: 'session/prompt', params: { sessionId, prompt: [{ type: 'text', text: 'again' }] } });
    await until(() => updates(c, sessionId).length > before + 5, 'the next turn', 10_000);
    c.send({ jsonrpc: '2.0', method: 'session/cancel', params: { sessionId } });
    assert.equal((await c.next((m) => m.id === 'p2')).result.stopReason, 'cancelled');
  });
});
