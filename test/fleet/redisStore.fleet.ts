import assert from 'node:assert/strict';
import { createClient } from 'redis';
import { RedisStore, type RedisStoreOptions } from '../../src/store/redis';
import { RedisKeys } from '../../src/store/redisKeys';
import { checkRedisUrl, reconnectDelay } from '../../src/store/redisConnection';
import { defaultRetention } from '../../src/store/retention';
import { createLogger, silentLogger } from '../../src/util/logger';
import { until } from '../helpers/client';
import { RedisServer } from '../helpers/redisServer';
import { chunk, meta, storeContract } from '../store/contract';

describe('store/RedisStore (real redis-server)', function () {
  this.timeout(20_000);
  let redis: RedisServer;
  let prefix = 0;
  let keys: RedisKeys;

  before(async () => {
    redis = await RedisServer.start();
  });
  after(async () => {
    await redis?.stop();
  });

  function options(extra: Partial<RedisStoreOptions> = {}): RedisStoreOptions {
    return {
      url: redis.url,
      replicaId: `r${Math.random()}`,
      retention: defaultRetention,
      writeDelayMs: 5,
      maintenanceIntervalMs: 60_000,
      maxBufferedBytes: 1024 * 1024,
      inUse: () => false,
      onError: () => {},
      onOverflow: () => {},
      onClaimed: () => {},
      leaseMs: 600,
      now: Date.now,
      logger: silentLogger,
      keys,
      ...extra,
    };
  }

  describe('as a session store', () => {
    storeContract({
      reset: async () => {
        keys = new RedisKeys(`contract${prefix++}:`);
      },
      make: (contract) => new RedisStore(options(contract)),
      cleanup: async () => {},
    });
  });

  describe('in a fleet', () => {
    let stores: RedisStore[];
    let log: string[];
    beforeEach(() => {
      keys = new RedisKeys(`fleet${prefix++}:`);
      stores = [];
      log = [];
    });
    afterEach(async () => {
      for (const s of stores) await s.close();
      if (!redis.running) await redis.resume();
    });
    function make(extra: Partial<RedisStoreOptions> = {}): RedisStore {
      const store = new RedisStore(options({ logger: createLogger('debug', (line) => log.push(line)), ...extra }));
      stores.push(store);
      return store;
    }

    it('the size cap counts the whole fleet and never deletes a session another replica holds', async () => {
      const a = make();
      const b = make({ retention: { retentionMs: defaultRetention.retentionMs, maxBytes: 1 } });
      await a.open();
      await b.open();
      a.create(meta('held', 'alice'));
      a.append('held', chunk(1, 'x'.repeat(100)));
      await a.sync('held');
      await until(() => b.summary('held')?.bytes !== undefined && b.summary('held')!.bytes > 0, 'b to see the session');
      await b.maintain();
      assert.ok(b.summary('held'), 'held by a: in use in the fleet, not evicted');
      await a.release('held');
      await b.maintain();
      assert.equal(b.summary('held'), undefined, 'let go: over the cap, evicted');
    });

    it('a session created on one replica is listed on another at once (change message) and its log replays there', async () => {
      const a = make();
      const b = make();
      await a.open();
      await b.open();
      a.create(meta('s1', 'alice'));
      a.append('s1', { k: 'info', ts: 3000, title: 'from a' });
      a.append('s1', chunk(1, 'x'));
      await a.sync('s1');
      await until(() => b.summary('s1')?.title === 'from a', 'the change to reach b');
      assert.deepEqual(b.list('alice').map((s) => s.id), ['s1']);
      assert.deepEqual(b.list('bob'), []);
      assert.deepEqual((await b.load('s1'))!.map((r) => r.k), ['meta', 'info', 'u']);
    });

    it('loading a session takes it from the replica that held it: that one is told, and its late writes never land', async () => {
      const told: string[] = [];
      const a = make({ onError: (id, err) => told.push(`${id}: ${err.message}`), onClaimed: (id) => told.push(`${id}: claimed`) });
      const b = make();
      await a.open();
      await b.open();
      a.create(meta('s1'));
      a.append('s1', chunk(1, 'a'));
      await a.sync('s1');
      await b.refresh('s1');
      await b.load('s1');
      b.append('s1', chunk(2, 'from b'));
      await b.sync('s1');
      // Whether the claim message or the stream ids stop it first, a's stale seq 2 must not be written.
      a.append('s1', chunk(2, 'stale a'));
      await a.sync('s1');
      await until(() => told.length > 0, 'a to be told');
      assert.match(told[0], /^s1: (claimed|another server now writes this session)$/);
      const records = (await b.load('s1'))!;
      assert.deepEqual(records.filter((r) => r.k === 'u').map((r) => (r.k === 'u' && r.u.sessionUpdate === 'agent_message_chunk' && r.u.content.type === 'text' ? r.u.content.text : '')), ['a', 'from b']);
    });

    it('a load waits for a turn running on another live replica to end; a lease let go by a stopped replica is taken at once', async () => {
      const a = make();
      const b = make();
      await a.open();
      await b.open();
      a.create(meta('s1'));
      a.append('s1', { k: 'prompt', ts: 2000, rid: 1, blocks: [{ type: 'text', text: 'q' }] });
      a.append('s1', chunk(1, 'partial'));
      await a.sync('s1');
      await b.refresh('s1');
      const started = Date.now();
      const loading = b.load('s1');
      await new Promise((r) => setTimeout(r, 300));
      // a ends the turn: b gets the whole turn.
      a.append('s1', { k: 'turn_end', ts: 2001, rid: 1, stopReason: 'end_turn' });
      await a.sync('s1');
      const records = (await loading)!;
      assert.ok(Date.now() - started >= 300);
      assert.equal(records[records.length - 1].k, 'turn_end');
      // A turn whose replica died (its lease is never renewed again): the load takes over after the lease lapses.
      const c = make();
      await c.open();
      c.create(meta('s2'));
      c.append('s2', { k: 'prompt', ts: 2000, rid: 1, blocks: [{ type: 'text', text: 'q' }] });
      await c.sync('s2');
      stores.splice(stores.indexOf(c), 1);
      await c.close(); // a graceful stop lets its leases go at once
      await b.refresh('s2');
      const t0 = Date.now();
      assert.equal((await b.load('s2'))!.length, 2);
      assert.ok(Date.now() - t0 < 500, 'a released lease is not waited for');
    });

    it('renews the retention as a Redis TTL on every write, and deletes every key of a deleted session', async () => {
      const store = make({ retention: { ...defaultRetention, retentionMs: 60_000 } });
      await store.open();
      store.create(meta('s1'));
      store.append('s1', chunk(1, 'a'));
      await store.sync('s1');
      const client = createClient({ url: redis.url });
      await client.connect();
      try {
        const ttl = await client.pTTL(keys.meta('s1'));
        assert.ok(ttl > 50_000 && ttl <= 60_000, `meta ttl ${ttl}`);
        assert.ok((await client.pTTL(keys.log('s1'))) > 50_000);
        await store.delete('s1');
        assert.equal(await client.exists([keys.meta('s1'), keys.log('s1')]), 0);
        assert.equal(await client.zScore(keys.allIndex, 's1'), null);
      } finally {
        await client.close();
      }
    });

    it('keeps records while Redis is down (reported once, not available) and writes them when it is back', async function () {
      const errors: string[] = [];
      const store = make({ onError: (id, err) => errors.push(`${id}: ${err.message}`) });
      await store.open();
      store.create(meta('s1'));
      store.append('s1', chunk(1, 'before'));
      await store.sync('s1');
      await redis.kill();
      for (let i = 2; i <= 50; i++) store.append('s1', chunk(i, `during ${i}`));
      await store.sync('s1');
      await until(() => !store.available && errors.length > 0, 'the store to say it cannot write');
      await new Promise((r) => setTimeout(r, 600)); // retries (every 250 ms) are not reported again
      assert.equal(errors.length, 1, errors.join('\n'));
      assert.match(log.join('\n'), /redis \(store\) redis:\/\/127\.0\.0\.1:\d+\/0 unavailable/);
      assert.match(log.join('\n'), /cannot write session s1 to Redis .* kept in memory/);
      await redis.resume();
      await until(() => store.available, 'the store to write again');
      assert.match(log.join('\n'), /redis \(store\) .* is back/);
      assert.deepEqual((await store.load('s1'))!.filter((r) => r.k === 'u').map((r) => (r.k === 'u' ? r.s : 0)), Array.from({ length: 50 }, (_, i) => i + 1));
    });

    it('past its buffer bound a session is reported overflowing once (its turn is failed), and nothing is lost that was kept', async () => {
      const overflows: string[] = [];
      const store = make({ maxBufferedBytes: 4000, onOverflow: (id, err) => overflows.push(`${id}: ${err.message}`) });
      await store.open();
      store.create(meta('s1'));
      await store.sync('s1');
      await redis.kill();
      store.append('s1', chunk(1, 'x'));
      await store.sync('s1');
      for (let i = 2; i <= 100; i++) store.append('s1', chunk(i, 'y'.repeat(100)));
      assert.deepEqual(overflows, ['s1: more than 4000 bytes of this session wait for Redis']);
      await redis.resume();
      await until(() => store.available, 'the store to write again');
      assert.equal((await store.load('s1'))!.length, 101);
    });

    it('refuses a URL with a password in it or another scheme, and backs off up to 2 s with jitter', () => {
      assert.equal(checkRedisUrl('redis://127.0.0.1:6379/0'), undefined);
      assert.equal(checkRedisUrl('rediss://cache.example.com:6380'), undefined);
      assert.match(checkRedisUrl('redis://:hunter2@127.0.0.1:6379')!, /PUNIE_REDIS_PASSWORD/);
      assert.match(checkRedisUrl('http://127.0.0.1')!, /redis:\/\//);
      assert.match(checkRedisUrl('redis://127.0.0.1/x')!, /database number/);
      assert.equal(reconnectDelay(0, () => 0), 100);
      assert.equal(reconnectDelay(3, () => 0), 800);
      assert.equal(reconnectDelay(30, () => 1), 2400);
    });
  });
});
