import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PunieServer } from '../../src/server/server';
import { createLogger } from '../../src/util/logger';
import { RawClient, startServer } from '../helpers/server';

/** Durable sessions with in-process servers: lock, write failures, list paging, titles, delete, close. */
describe('server durable sessions', () => {
  let dir: string;
  let servers: PunieServer[];
  const clients: RawClient[] = [];
  let log: string[];

  const start = async (options: Parameters<typeof startServer>[0] = {}) => {
    const server = await startServer({ dataDir: dir, logger: createLogger('info', (l) => log.push(l)), ...options });
    servers.push(server);
    return server;
  };
  const connect = async (server: PunieServer) => {
    const c = await RawClient.connect(server.urls().acp);
    clients.push(c);
    await c.call('init', 'initialize', { protocolVersion: 1 });
    return c;
  };
  const newSession = async (c: RawClient, id: string | number) => (await c.call(id, 'session/new', { cwd: '/w', mcpServers: [] })).result.sessionId as string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'punie-durable-'));
    servers = [];
    log = [];
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.socket.terminate();
    for (const s of servers) await s.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a second server on the same data dir and says which server holds it', async () => {
    const first = await start();
    await assert.rejects(start(), new RegExp(`in use by another Punie server \\(pid ${process.pid} .*${first.urls().ws.replace(/[/.]/g, '\\$&')}`));
  });

  it('answers session/new only once the session is on disk (a kill -9 right after cannot lose it)', async () => {
    // Records wait up to 100 ms for their batch: a file there at once was written by session/new itself.
    const server = await start();
    const c = await connect(server);
    const id = await newSession(c, 1);
    const file = join(dir, 'sessions', `${id}.jsonl`);
    const meta = JSON.parse((await readFile(file, 'utf8')).split('\n')[0]);
    assert.equal(meta.k, 'meta');
    assert.equal(meta.id, id);
  });

  it('reports a full disk to the client and in the log, and the session goes on in memory', async () => {
    let full = true;
    const server = await start({
      storeIo: {
        async write(handle, data) {
          if (full) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
          await handle.write(data);
        },
      },
    });
    const c = await connect(server);
    const sid = await newSession(c, 1);
    assert.equal((await c.call(2, 'session/prompt', { sessionId: sid, prompt: [{ type: 'text', text: 'hi' }] })).result.stopReason, 'end_turn');
    const told = await c.next((m) => m.method === '_punie/storage_failed');
    assert.equal(told.params.sessionId, sid);
    assert.match(told.params.message, /cannot save this conversation \(ENOSPC/);
    assert.ok(log.some((l) => /ERROR.*cannot write session .*ENOSPC/.test(l)));
    assert.equal((await c.call(3, 'session/prompt', { sessionId: sid, prompt: [{ type: 'text', text: 'again' }] })).result.stopReason, 'end_turn');
    full = false;
    await server.close();
    const again = await start();
    const b = await connect(again);
    const before = b.messages.length;
    await b.call(4, 'session/load', { sessionId: sid, cwd: '/w', mcpServers: [] });
    const asked = b.messages.slice(before).filter((m) => m.params?.update?.sessionUpdate === 'user_message_chunk').map((m) => m.params.update.content.text);
    assert.deepEqual(asked, ['hi', 'again'], 'what was kept in memory was written once the disk had room');
  });

  it('lists in pages with a cursor, renames with _punie/set_session_title (announced), closes without deleting, deletes', async () => {
    let now = 1_000_000;
    const server = await start({ now: () => now });
    const c = await connect(server);
    const ids: string[] = [];
    for (let i = 0; i < 55; i++) {
      now += 10;
      ids.push(await newSession(c, `n${i}`));
    }
    const page1 = (await c.call('l1', 'session/list', {})).result;
    assert.equal(page1.sessions.length, 50);
    assert.equal(page1.sessions[0].sessionId, ids[54], 'newest first');
    const page2 = (await c.call('l2', 'session/list', { cursor: page1.nextCursor })).result;
    assert.deepEqual(page2.sessions.map((s: any) => s.sessionId), ids.slice(0, 5).reverse());
    assert.equal(page2.nextCursor, undefined, 'the last page has no cursor');

    const renamed = await c.call('t', '_punie/set_session_title', { sessionId: ids[3], title: 'Refactor the parser' });
    assert.deepEqual(renamed.result, {});
    const info = await c.next((m) => m.params?.update?.sessionUpdate === 'session_info_update');
    assert.equal(info.params.update.title, 'Refactor the parser');
    assert.deepEqual(await c.call('c', 'session/close', { sessionId: ids[3] }).then((r) => r.result), {});
    assert.deepEqual(await c.call('d', 'session/delete', { sessionId: ids[4] }).then((r) => r.result), {});
    await server.close();

    const again = await start({ now: () => now });
    const b = await connect(again);
    let listed: any[] = [];
    for (let cursor: string | undefined, n = 0; n === 0 || cursor; n++) {
      const page = (await b.call(`p${n}`, 'session/list', cursor ? { cursor } : {})).result;
      listed = listed.concat(page.sessions);
      cursor = page.nextCursor;
    }
    assert.equal(listed.length, 54, 'closed stays, deleted goes');
    assert.equal(listed.find((s) => s.sessionId === ids[3]).title, 'Refactor the parser');
    assert.ok(!listed.some((s) => s.sessionId === ids[4]));
    assert.ok(!(await readdir(join(dir, 'sessions'))).includes(`${ids[4]}.jsonl`));
  });
});
