import assert from 'node:assert/strict';
import { Backoff } from '../../src/client/backoff';
import { resolveClientOptions } from '../../src/client/options';
import { SessionTable } from '../../src/client/sessionTable';

describe('client backoff and seq bookkeeping (units)', () => {
  const options = { initialDelayMs: 500, maxDelayMs: 15_000, minUptimeMs: 5_000 };

  it('doubles the bound per attempt up to the cap, with full jitter from 0 to the bound', () => {
    const high = new Backoff(options, () => 0.999999);
    const delays = Array.from({ length: 8 }, () => high.next());
    assert.deepEqual(delays, [499, 999, 1999, 3999, 7999, 14_999, 14_999, 14_999]);
    const low = new Backoff(options, () => 0);
    assert.deepEqual([low.next(), low.next(), low.next()], [0, 0, 0]);
    let seed = 1;
    const spread = new Backoff(options, () => ((seed = (seed * 16807) % 2147483647) / 2147483647));
    for (let n = 1; n <= 40; n++) {
      const delay = spread.next();
      assert.ok(delay >= 0 && delay <= spread.bound(n), `attempt ${n}: ${delay} within [0, ${spread.bound(n)}]`);
    }
  });

  it('starts over after reset, and the first retry never waits more than initialDelayMs', () => {
    const backoff = new Backoff(options, () => 0.999999);
    backoff.next();
    backoff.next();
    assert.equal(backoff.attempt, 2);
    backoff.reset();
    assert.equal(backoff.attempt, 0);
    assert.ok(backoff.next() <= 500);
  });

  it('defaults to the documented timeouts and rejects nonsense', () => {
    const o = resolveClientOptions({ url: 'ws://127.0.0.1:1/ws' });
    assert.equal(o.connectTimeoutMs, 10_000);
    assert.equal(o.requestTimeoutMs, 30_000);
    assert.equal(o.promptInactivityTimeoutMs, 300_000);
    assert.equal(o.promptTotalTimeoutMs, undefined);
    assert.equal(o.heartbeatIntervalMs, 15_000);
    assert.deepEqual(o.reconnect, { initialDelayMs: 300, maxDelayMs: 15_000, minUptimeMs: 5_000 });
    assert.throws(() => resolveClientOptions({ url: 'http://x' }), /must start with ws:\/\//);
    assert.throws(() => resolveClientOptions({ url: 'ws://x', heartbeatIntervalMs: 0 }), /heartbeatIntervalMs must be a positive/);
    assert.throws(() => resolveClientOptions({ url: 'ws://x', reconnect: { initialDelayMs: 10, maxDelayMs: 5 } }), /initialDelayMs ≤ maxDelayMs/);
  });

  it('treats seq as a high-water mark: duplicates dropped, gaps allowed, updates without seq passed', () => {
    const seen: unknown[] = [];
    const finished: unknown[] = [];
    const table = new SessionTable({ update: (n) => seen.push(n._meta?.seq ?? 'none'), promptFinished: (p) => finished.push(p.requestId) });
    table.add({ id: 's', cwd: '/w', model: undefined, mcpServers: [], token: 't' });
    const update = (seq?: number) => ({ sessionId: 's', update: { sessionUpdate: 'agent_message_chunk', content: { type: 'text', text: 'x' } }, _meta: seq === undefined ? undefined : { seq } });
    for (const seq of [1, 2, 3, 2, 3, 4, 7, 5, 9]) table.receive('session/update', update(seq));
    table.receive('session/update', update());
    table.receive('_punie/prompt_finished', { sessionId: 's', requestId: 'p', stopReason: 'end_turn', _meta: { seq: 9 } });
    table.receive('_punie/prompt_finished', { sessionId: 's', requestId: 'q', stopReason: 'end_turn', _meta: { seq: 10 } });
    assert.deepEqual(seen, [1, 2, 3, 4, 7, 9, 'none']);
    assert.deepEqual(finished, ['q']);
    assert.equal(table.get('s')!.lastSeq, 10);
  });

  it('holds a session’s updates during a resume and passes updates of unknown sessions through', () => {
    const seen: string[] = [];
    const table = new SessionTable({ update: (n) => seen.push(n.sessionId), promptFinished: () => {} });
    const session = table.add({ id: 's', cwd: '/w', model: undefined, mcpServers: [], token: undefined });
    table.hold(session);
    table.receive('session/update', { sessionId: 's', update: {}, _meta: { seq: 1 } });
    table.receive('session/update', { sessionId: 'other', update: {} });
    assert.deepEqual(seen, ['other']);
    const held = table.take(session);
    assert.equal(held.length, 1);
    for (const m of held) table.admit(session, m);
    assert.deepEqual(seen, ['other', 's']);
  });
});
