/**
 * What every session store must do, run against each of them (the JSONL files in `npm test`, Redis in
 * `npm run test:fleet`): records come back in order after a restart, the list shows owner and title,
 * retention and the size cap evict the right sessions and never one in use, a deleted session is gone.
 */
import assert from 'node:assert/strict';
import type { RetentionPolicy } from '../../src/store/retention';
import { DAY_MS, defaultRetention } from '../../src/store/retention';
import { PERMISSION_META, TURN_META } from '../../src/protocol/punie';
import { STORE_VERSION, type DurableStore, type MetaRecord } from '../../src/store/types';

export interface ContractOptions {
  retention: RetentionPolicy;
  inUse(id: string): boolean;
  now(): number;
}

export type ContractStore = DurableStore & { maintain(): Promise<void> };

export interface ContractBackend {
  /** A fresh, empty backing for one test. */
  reset(): Promise<void>;
  /** A store over this test's backing (a second one sees what the first wrote: a restart). */
  make(options: ContractOptions): ContractStore;
  /** Drops this test's backing. */
  cleanup(): Promise<void>;
}

export function meta(id: string, owner = 'default', createdAt = 1000): MetaRecord {
  return { k: 'meta', v: STORE_VERSION, id, owner, cwd: '/w', model: 'test', createdAt };
}

export function chunk(s: number, text: string) {
  return { k: 'u' as const, s, u: { sessionUpdate: 'agent_message_chunk' as const, content: { type: 'text' as const, text } } };
}

export function storeContract(backend: ContractBackend): void {
  describe('store contract', () => {
    let stores: ContractStore[];
    let now: number;

    function make(options: Partial<ContractOptions> = {}): ContractStore {
      const store = backend.make({ retention: defaultRetention, inUse: () => false, now: () => now, ...options });
      stores.push(store);
      return store;
    }

    beforeEach(async () => {
      stores = [];
      now = 10_000;
      await backend.reset();
    });
    afterEach(async () => {
      for (const s of stores) await s.close();
      await backend.cleanup();
    });

    it('writes records in order and reads them back after a restart, with title and owner in the list', async () => {
      const a = make();
      await a.open();
      a.create(meta('s1'));
      a.append('s1', { k: 'prompt', ts: 2000, rid: 1, blocks: [{ type: 'text', text: 'hi' }] });
      for (let i = 1; i <= 100; i++) a.append('s1', chunk(i, `c${i} `));
      a.append('s1', { k: 'info', ts: 2001, title: 'hi' });
      a.append('s1', { k: 'turn_end', ts: 2002, rid: 1, stopReason: 'end_turn' });
      await a.sync('s1');
      await a.close();
      const b = make();
      await b.open();
      assert.deepEqual(b.list('default').map((s) => [s.id, s.title, s.updatedAt]), [['s1', 'hi', 2002]]);
      assert.deepEqual(b.list('other'), []);
      const records = (await b.load('s1'))!;
      assert.equal(records.length, 104);
      assert.deepEqual(records[0], meta('s1'));
      assert.deepEqual(records[50], chunk(49, 'c49 '));
      assert.deepEqual(records[103], { k: 'turn_end', ts: 2002, rid: 1, stopReason: 'end_turn' });
      assert.equal(await b.load('nope'), undefined);
    });

    it('a restored session goes on where its log ended: appends after a load come after the old records', async () => {
      const a = make();
      await a.open();
      a.create(meta('s1'));
      a.append('s1', chunk(1, 'a'));
      a.append('s1', { k: 'history', msgs: [{ role: 'assistant', content: 'a' }] });
      await a.sync('s1');
      await a.close();
      const b = make();
      await b.open();
      await b.load('s1');
      b.append('s1', { k: 'history', msgs: [{ role: 'user', content: 'b' }] });
      b.append('s1', chunk(2, 'b'));
      await b.sync('s1');
      assert.deepEqual((await b.load('s1'))!.map((r) => (r.k === 'u' ? r.s : r.k)), ['meta', 1, 'history', 'history', 2]);
    });

    it('keeps permission questions and answers (tool_call_update _meta) and a prompt block\'s turn id verbatim, also through compaction', async () => {
      const permission = { title: 'Write a.txt', options: [{ optionId: 'allow_once', name: 'Allow', kind: 'allow_once' as const }] };
      const asked = { k: 'u' as const, s: 2, u: { sessionUpdate: 'tool_call_update' as const, toolCallId: 'call-1', _meta: { [PERMISSION_META]: permission } } };
      const answered = { k: 'u' as const, s: 3, u: { sessionUpdate: 'tool_call_update' as const, toolCallId: 'call-1', _meta: { [PERMISSION_META]: { ...permission, outcome: { outcome: 'selected', optionId: 'allow_once' } } } } };
      const prompt = { k: 'prompt' as const, ts: 2000, rid: 1, blocks: [{ type: 'text' as const, text: 'hi', _meta: { [TURN_META]: 'user-1' } }] };
      const a = make();
      await a.open();
      a.create(meta('s1'));
      a.append('s1', prompt);
      a.append('s1', chunk(1, 'a'));
      a.append('s1', asked);
      a.append('s1', answered);
      a.append('s1', chunk(4, 'b'));
      a.append('s1', { k: 'turn_end', ts: 2002, rid: 1, stopReason: 'end_turn' });
      await a.sync('s1');
      now += 10 * DAY_MS;
      await a.maintain();
      await a.close();
      const b = make();
      await b.open();
      const records = (await b.load('s1'))!;
      assert.deepEqual(records.slice(1, 5), [prompt, chunk(1, 'a'), asked, answered]);
      assert.deepEqual(records[5], chunk(4, 'b'), 'chunks on either side of a question are not merged across it');
    });

    it('retention deletes sessions untouched too long; the size cap evicts the oldest first, never one in use', async () => {
      const inUse = new Set(['old-in-use']);
      const store = make({ retention: { retentionMs: 30 * DAY_MS, maxBytes: 1700 }, inUse: (id) => inUse.has(id) });
      await store.open();
      for (const [id, at] of [['ancient', 1], ['old-in-use', 2], ['older', 5 * DAY_MS], ['newer', 6 * DAY_MS], ['newest', 7 * DAY_MS]] as const) {
        store.create(meta(id, 'default', at));
        store.append(id, { k: 'history', msgs: [{ role: 'user', content: 'x'.repeat(400) }] });
        await store.sync(id);
      }
      now = 31 * DAY_MS + 10;
      await store.maintain();
      // 'ancient' is past retention; then 4×~540 bytes is over 1700: 'older' goes ('old-in-use' is skipped).
      assert.deepEqual(store.list('default').map((s) => s.id), ['newest', 'newer', 'old-in-use']);
      assert.equal(await store.load('older'), undefined);
      assert.ok(await store.load('newer'));
    });

    it('appending after a delete writes nothing, and a deleted session is gone after a restart', async () => {
      const a = make();
      await a.open();
      a.create(meta('s1'));
      await a.sync('s1');
      await a.delete('s1');
      a.append('s1', chunk(1, 'late'));
      await a.close();
      const b = make();
      await b.open();
      assert.equal(await b.load('s1'), undefined);
      assert.deepEqual(b.list('default'), []);
    });
  });
}
