import assert from 'node:assert/strict';
import { OpBatcher, type BatchClock } from '../../src/extension/batcher';
import type { TranscriptOp } from '../../src/webview/protocol';

/** A clock whose timers fire only when the test advances time. */
function fakeClock(): BatchClock & { advance(ms: number): void; timers: number } {
  let now = 1000;
  let timers: { at: number; cb: () => void; id: number }[] = [];
  let next = 0;
  return {
    now: () => now,
    setTimeout: (cb, ms) => {
      const id = ++next;
      timers.push({ at: now + ms, cb, id });
      return id;
    },
    clearTimeout: (h) => (timers = timers.filter((t) => t.id !== h)),
    advance(ms) {
      now += ms;
      for (;;) {
        const due = timers.filter((t) => t.at <= now).sort((a, b) => a.at - b.at)[0];
        if (!due) break;
        timers = timers.filter((t) => t !== due);
        due.cb();
      }
    },
    get timers() {
      return timers.length;
    },
  };
}

describe('OpBatcher', () => {
  it('merges a burst of appends into one message and sends it at most once per interval', () => {
    const clock = fakeClock();
    const sent: TranscriptOp[][] = [];
    const batcher = new OpBatcher((ops) => sent.push(ops), 33, clock);
    batcher.push({ op: 'add', item: { kind: 'agent', id: 'a', text: '' } });
    for (let i = 0; i < 1000; i++) batcher.push({ op: 'append', id: 'a', text: `${i},` });
    assert.equal(sent.length, 0, 'nothing is sent synchronously');
    clock.advance(0);
    assert.equal(sent.length, 1);
    assert.equal(sent[0].length, 2);
    assert.equal((sent[0][1] as { text: string }).text.split(',').length, 1001);

    for (let t = 0; t < 330; t++) {
      batcher.push({ op: 'append', id: 'a', text: 'x' });
      clock.advance(1);
    }
    clock.advance(40);
    // 330 ms of chunks every 1 ms: about 10 messages, never more than one per 33 ms.
    assert.ok(sent.length >= 10 && sent.length <= 12, `sent ${sent.length} messages`);
    const appended = sent.slice(1).flat().map((op) => (op as { text: string }).text).join('');
    assert.equal(appended, 'x'.repeat(330), 'no chunk lost or duplicated');
  });

  it('keeps the order of different ops and does not merge appends to different items', () => {
    const clock = fakeClock();
    const sent: TranscriptOp[][] = [];
    const batcher = new OpBatcher((ops) => sent.push(ops), 33, clock);
    batcher.push({ op: 'append', id: 'a', text: '1' });
    batcher.push({ op: 'append', id: 'b', text: '2' });
    batcher.push({ op: 'append', id: 'a', text: '3' });
    clock.advance(0);
    assert.deepEqual(sent[0].map((o) => (o as { id: string }).id), ['a', 'b', 'a']);
  });

  it('flushes at once on demand, and a clear drops what was pending before it', () => {
    const clock = fakeClock();
    const sent: TranscriptOp[][] = [];
    const batcher = new OpBatcher((ops) => sent.push(ops), 33, clock);
    batcher.push({ op: 'append', id: 'a', text: 'old' });
    batcher.push({ op: 'clear' });
    batcher.push({ op: 'add', item: { kind: 'user', id: 'u', text: 'new' } });
    batcher.flush();
    assert.deepEqual(sent, [[{ op: 'clear' }, { op: 'add', item: { kind: 'user', id: 'u', text: 'new' } }]]);
    assert.equal(clock.timers, 0);
    batcher.flush();
    assert.equal(sent.length, 1, 'an empty flush sends nothing');
  });

  it('discards pending ops (a snapshot replaces them) and cancels the timer', () => {
    const clock = fakeClock();
    const sent: TranscriptOp[][] = [];
    const batcher = new OpBatcher((ops) => sent.push(ops), 33, clock);
    batcher.push({ op: 'append', id: 'a', text: 'x' });
    batcher.discard();
    clock.advance(100);
    assert.deepEqual(sent, []);
    assert.equal(batcher.pendingCount, 0);
  });
});
