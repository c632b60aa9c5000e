import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataDirLockedError } from '../../src/store/lock';
import { JsonlStore, type JsonlStoreOptions } from '../../src/store/jsonl';
import { defaultRetention } from '../../src/store/retention';
import { createLogger, silentLogger } from '../../src/util/logger';
import { chunk, meta, storeContract } from './contract';


describe('store/JsonlStore', () => {
  describe('as a session store', () => {
    let contractDir: string;
    storeContract({
      reset: async () => {
        contractDir = await mkdtemp(join(tmpdir(), 'punie-store-'));
      },
      make: (options) =>
        new JsonlStore({ dataDir: contractDir, compactAfterMs: 300_000, writeDelayMs: 5, syncIntervalMs: 20, maintenanceIntervalMs: 60_000, onError: () => {}, logger: silentLogger, ...options }),
      cleanup: () => rm(contractDir, { recursive: true, force: true }),
    });
  });

  let dir: string;
  let log: string[];
  let stores: JsonlStore[];
  let now: number;
  let clock: () => number;

  function make(options: Partial<JsonlStoreOptions> = {}): JsonlStore {
    const store = new JsonlStore({
      dataDir: dir,
      retention: defaultRetention,
      compactAfterMs: 300_000,
      writeDelayMs: 5,
      syncIntervalMs: 20,
      maintenanceIntervalMs: 60_000,
      inUse: () => false,
      onError: () => {},
      now: () => clock(),
      logger: createLogger('debug', (line) => log.push(line)),
      ...options,
    });
    stores.push(store);
    return store;
  }

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'punie-store-'));
    log = [];
    stores = [];
    now = 10_000;
    clock = () => now;
  });
  afterEach(async () => {
    for (const s of stores) await s.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('batches writes: many appends between ticks become one write, and an fsync follows within the interval', async () => {
    const writes: number[] = [];
    let syncs = 0;
    clock = Date.now;
    const store = make({
      writeDelayMs: 20,
      io: {
        async write(handle, data) {
          writes.push(data.length);
          await handle.write(data);
        },
        async sync(handle) {
          syncs++;
          await handle.datasync();
        },
      },
    });
    await store.open();
    store.create(meta('s1'));
    for (let i = 1; i <= 1000; i++) store.append('s1', chunk(i, 'x'));
    await new Promise((r) => setTimeout(r, 80));
    assert.equal(writes.length, 1, 'one write for the whole batch');
    assert.ok(syncs >= 1, 'fsynced without a turn end');
  });

  it('starts a write once a quarter MiB is buffered, without waiting for the batch delay: one write however many appends follow before it runs', async () => {
    const writes: number[] = [];
    const store = make({ writeDelayMs: 60_000, syncIntervalMs: 60_000, io: { write: async (handle, data) => void (writes.push(data.length), await handle.write(data)), sync: (handle) => handle.datasync() } });
    await store.open();
    store.create(meta('s1'));
    await store.sync('s1');
    writes.length = 0;
    const big = 'x'.repeat(16 * 1024);
    for (let i = 1; i <= 64; i++) store.append('s1', chunk(i, big)); // 1 MiB in one go
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(writes.length, 1, 'one write for everything appended before it ran');
    assert.ok(writes[0] > 1024 * 1024);
    for (let i = 65; i <= 70; i++) store.append('s1', chunk(i, big)); // under the threshold: waits for the timer
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(writes.length, 1);
  });

  it('answers a turn end once written (what a kill -9 cannot lose), with its fsync started right behind the write', async () => {
    let syncs = 0;
    let release: () => void = () => {};
    const store = make({
      writeDelayMs: 60_000,
      syncIntervalMs: 60_000,
      io: {
        write: async (handle, data) => void (await handle.write(data)),
        sync: async (handle) => {
          syncs++;
          await new Promise<void>((r) => (release = r));
          await handle.datasync();
        },
      },
    });
    await store.open();
    store.create(meta('s1'));
    store.append('s1', chunk(1, 'answer'));
    try {
      await store.sync('s1'); // resolves while its fsync still waits
      const onDisk = await readFile(join(dir, 'sessions', 's1.jsonl'), 'utf8');
      assert.match(onDisk, /"answer"/, 'written before sync resolved');
      await new Promise((r) => setImmediate(r));
      assert.equal(syncs, 1, 'the fsync started without waiting for the interval');
    } finally {
      release();
    }
  });

  it('drops a torn last line, NUL runs and a stub run into the next record on load, and repairs the file', async () => {
    const sessions = join(dir, 'sessions');
    const a = make();
    await a.open();
    await a.close();
    const good = [meta('s1'), chunk(1, 'a'), chunk(2, 'b')].map((r) => JSON.stringify(r));
    const text = `${good[0]}\n${good[1]}\n\0\0\0\0\n{"k":"u","s":3,"u":{"sessionUp${good[2]}\n{"k":"u","s":4,"u":{"sess`;
    await writeFile(join(sessions, 's1.jsonl'), text);
    const b = make();
    await b.open();
    const records = (await b.load('s1'))!;
    assert.deepEqual(records.map((r) => (r.k === 'u' ? r.s : r.k)), ['meta', 1, 2]);
    assert.match(log.join('\n'), /repaired s1\.jsonl \(dropped 2 damaged/);
    // The file was rewritten: whole lines only, so the next append cannot be glued onto a stub.
    const repaired = await readFile(join(sessions, 's1.jsonl'), 'utf8');
    assert.equal(repaired, good.join('\n') + '\n');
    b.append('s1', chunk(3, 'c'));
    await b.sync('s1');
    assert.deepEqual((await b.load('s1'))!.map((r) => (r.k === 'u' ? r.s : r.k)), ['meta', 1, 2, 3]);
  });

  it('quarantines a corrupt file with a log line and keeps serving the others', async () => {
    const a = make();
    await a.open();
    a.create(meta('ok'));
    await a.sync('ok');
    await a.close();
    await writeFile(join(dir, 'sessions', 'bad.jsonl'), 'not json at all\n{"k":"u","s":1}\n');
    const b = make();
    await b.open();
    assert.deepEqual(b.list('default').map((s) => s.id), ['ok']);
    assert.match(log.join('\n'), /bad\.jsonl is corrupt .* moved to .*quarantine/);
    assert.equal((await readdir(join(dir, 'quarantine'))).length, 1);
  });

  it('one process owns a data dir: a second store is told who holds it; a dead holder is taken over', async () => {
    const a = make();
    await a.open();
    await a.announce('ws://127.0.0.1:1234/ws');
    await assert.rejects(make().open(), (err: Error) => err instanceof DataDirLockedError && /pid \d+ .*ws:\/\/127\.0\.0\.1:1234\/ws/.test(err.message));
    await a.close();
    const lock = join(dir, 'server.lock');
    await writeFile(lock, JSON.stringify({ pid: 2 ** 22 + 7, host: (await import('node:os')).hostname(), startedAt: 'then' }));
    const c = make();
    await c.open();
    assert.equal(JSON.parse(await readFile(lock, 'utf8')).pid, process.pid);
  });

  it('a failed write (full disk) is reported once, keeps the records and writes them when the disk recovers', async () => {
    let full = true;
    const errors: string[] = [];
    const store = make({
      io: {
        async write(handle, data) {
          if (full) {
            await handle.write(data.subarray(0, 7)); // a partial write, as a full disk leaves it
            throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
          }
          await handle.write(data);
        },
      },
      onError: (id, err) => errors.push(`${id}: ${err.message}`),
    });
    await store.open();
    store.create(meta('s1'));
    store.append('s1', chunk(1, 'a'));
    await store.sync('s1');
    store.append('s1', chunk(2, 'b'));
    await store.sync('s1');
    assert.deepEqual(errors, ['s1: ENOSPC: no space left on device, write']);
    assert.match(log.join('\n'), /cannot write session s1 \(ENOSPC.*kept in memory/);
    assert.equal((await stat(join(dir, 'sessions', 's1.jsonl'))).size, 0, 'the partial write was cut back');
    full = false;
    await store.sync('s1');
    assert.deepEqual((await store.load('s1'))!.map((r) => (r.k === 'u' ? r.s : r.k)), ['meta', 1, 2]);
    assert.match(log.join('\n'), /session s1 is written again/);
  });

  it('compacts finished turns older than the resume grace into merged records, leaving recent turns seq by seq', async () => {
    const store = make({ compactAfterMs: 1000 });
    await store.open();
    store.create(meta('s1'));
    let seq = 0;
    for (const ts of [2000, 9500]) {
      store.append('s1', { k: 'prompt', ts, blocks: [{ type: 'text', text: 'q' }] });
      for (let i = 0; i < 1200; i++) store.append('s1', chunk(++seq, 'y'));
      store.append('s1', { k: 'turn_end', ts, stopReason: 'end_turn' });
    }
    await store.sync('s1');
    await stores[0].maintain();
    await store.sync('s1');
    const records = (await store.load('s1'))!;
    const updates = records.filter((r) => r.k === 'u');
    assert.equal(updates.length, 1 + 1200);
    assert.deepEqual(updates[0], { ...chunk(1, 'y'.repeat(1200)), to: 1200 });
    assert.equal(records.filter((r) => r.k === 'u' && r.s > 1200).length, 1200);
    const size = (await stat(join(dir, 'sessions', 's1.jsonl'))).size;
    assert.equal(size, store.summary('s1')!.bytes);
    // The turn kept seq by seq is merged once it too has passed the grace.
    now = 10_600;
    await store.sync('s1');
    await store.sync('s1');
    assert.deepEqual((await store.load('s1'))!.filter((r) => r.k === 'u').map((r) => (r.k === 'u' ? [r.s, r.to] : [])), [[1, 1200], [1201, 2400]]);
  });

  it('does not read a log again at every turn end while its turns are within the resume grace', async () => {
    const store = make({ compactAfterMs: 1000 });
    await store.open();
    store.create(meta('s1'));
    let seq = 0;
    const turn = () => {
      store.append('s1', { k: 'prompt', ts: now, blocks: [{ type: 'text', text: 'q' }] });
      for (let i = 0; i < 1200; i++) store.append('s1', chunk(++seq, 'y'));
      store.append('s1', { k: 'turn_end', ts: now, stopReason: 'end_turn' });
    };
    const tooEarly = () => log.filter((l) => l.includes('too little to compact')).length;
    turn();
    await store.sync('s1');
    await store.sync('s1');
    assert.equal(tooEarly(), 0, 'read the log at the end of a turn within the grace');
    now += 500;
    turn();
    await store.sync('s1');
    await store.sync('s1');
    assert.equal(tooEarly(), 0, 'read the log before the first turn had passed the grace');
    now += 600;
    await store.sync('s1');
    await store.sync('s1');
    assert.equal(log.filter((l) => l.includes('compacted s1 from')).length, 1);
  });

});
