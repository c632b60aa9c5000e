import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PunieClient } from '../../src/client/punieClient';
import type { PunieServer } from '../../src/server/server';
import { Recorder, testClient, text, until } from '../helpers/client';
import { startServer } from '../helpers/server';

describe('client manager with durable sessions', () => {
  let dir: string;
  let servers: PunieServer[];
  let clients: PunieClient[];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'punie-client-durable-'));
    servers = [];
    clients = [];
  });
  afterEach(async () => {
    for (const c of clients) await c.dispose();
    for (const s of servers) await s.close();
    await rm(dir, { recursive: true, force: true });
  });

  const client = (url: string) => {
    const c = testClient(url);
    clients.push(c);
    return c;
  };

  it('reattaches the same session after the server restarted on the same data dir (nothing reported lost)', async () => {
    const first = await startServer({ dataDir: dir });
    servers.push(first);
    const port = first.port;
    const c = client(first.urls().ws);
    const recorder = new Recorder(c);
    await c.start();
    const { sessionId } = await c.newSession('/w');
    assert.equal(await c.prompt(sessionId, text('before')), 'end_turn');
    await first.close();
    await until(() => recorder.kinds().includes('reconnecting'), 'the client to notice', 5000);
    const second = await startServer({ dataDir: dir, port });
    servers.push(second);
    await until(() => c.state.kind === 'connected', 'the client to reconnect', 5000);
    assert.equal(await c.prompt(sessionId, text('after')), 'end_turn', 'the same session id goes on');
    assert.deepEqual(recorder.lost.filter((l) => l.recovery !== 'reloaded'), [], 'no session reported lost or replaced');
    assert.ok(recorder.text(sessionId).includes('You asked: *after*'));
  });

  it('lets go of a session another client of the same user opened, and does not take it back', async () => {
    const server = await startServer({ dataDir: dir });
    servers.push(server);
    const a = client(server.urls().ws);
    const b = client(server.urls().ws);
    const lostA = new Recorder(a);
    await a.start();
    await b.start();
    const { sessionId } = await a.newSession('/w');
    await b.openSession(sessionId, '/w');
    await until(() => lostA.lost.length > 0, 'a to be told');
    assert.equal(lostA.lost[0].recovery, 'taken');
    await assert.rejects(a.prompt(sessionId, text('mine?')), /unknown session/);
    assert.equal(await b.prompt(sessionId, text('mine')), 'end_turn');
  });

  it('opens a stored session with its replay (session/load) from a new client after a restart, and continues it', async () => {
    const first = await startServer({ dataDir: dir });
    servers.push(first);
    const a = client(first.urls().ws);
    await a.start();
    const { sessionId } = await a.newSession('/w');
    assert.equal(await a.prompt(sessionId, text('remember me')), 'end_turn');
    await a.dispose();
    await first.close();
    const second = await startServer({ dataDir: dir });
    servers.push(second);
    const b = client(second.urls().ws);
    const recorder = new Recorder(b);
    await b.start();
    const opened = await b.openSession(sessionId, '/w', { replay: true });
    assert.ok(opened.response.configOptions?.some((o) => o.category === 'model'), 'the answer carries the config options');
    const replayed = recorder.updates.filter((n) => n.sessionId === sessionId && n._meta?.replay === true).map((n) => n.update.sessionUpdate);
    assert.equal(replayed[0], 'user_message_chunk', 'the question comes first');
    assert.ok(replayed.includes('agent_message_chunk'), 'then the answer');
    assert.equal(await b.prompt(sessionId, text('and now')), 'end_turn', 'the loaded session is this client\'s');
    assert.match(recorder.text(sessionId), /You asked: \*and now\*\n\nEarlier in this conversation you asked: \*remember me\*/, 'the model got the earlier turn');
    await assert.rejects(b.openSession('no-such-session', '/w', { replay: true }), /not found/);
  });
});
