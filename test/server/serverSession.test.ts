import assert from 'node:assert/strict';
import { TestModel, parseTestModelOptions } from '../../src/agent/models/testModel';
import type { SessionUpdate } from '../../src/protocol/acp';
import type { ClientLink } from '../../src/server/clientLink';
import { restoredState } from '../../src/server/restore';
import { ServerSession } from '../../src/server/serverSession';
import { compactRecords } from '../../src/store/compact';
import type { DurableStore, StoredRecord } from '../../src/store/types';
import { silentLogger } from '../../src/util/logger';

describe('server session: an update serialised once', () => {
  it('sends and stores exactly the text JSON.stringify makes of the message and of the record', () => {
    const sent: { method: string; params: unknown; frame?: string }[] = [];
    const stored: { record: StoredRecord; json?: string }[] = [];
    const link = { clientId: 'c', user: 'u', capabilities: {}, notify: (method: string, params: unknown, frame?: string) => sent.push({ method, params, frame }) } as unknown as ClientLink;
    const durable = { append: (_id: string, record: StoredRecord, json?: string) => stored.push({ record, json }) } as unknown as DurableStore;
    const options = { gracePeriodMs: 1000, cleanupIntervalMs: 1000, replayMaxUpdates: 10, replayMaxBytes: 1e6, now: () => 0, logger: silentLogger };
    const session = new ServerSession('s-"1\u2028', '/', 'u', 'c', 't', new TestModel('test', parseTestModelOptions('')), { durable, linkOf: () => link }, options);
    const updates: SessionUpdate[] = [
      { sessionUpdate: 'agent_message_chunk', content: { type: 'text', text: 'quote " backslash \\ newline \n emoji 🐍 nul \u0000' } },
      { sessionUpdate: 'tool_call', toolCallId: 't1', title: 'Read', status: 'pending' },
    ];
    for (const update of updates) session.emit(update);
    assert.equal(sent.length, 2);
    sent.forEach((s, i) => {
      assert.equal(s.frame, JSON.stringify({ jsonrpc: '2.0', method: s.method, params: s.params }));
      assert.deepEqual(JSON.parse(s.frame!), { jsonrpc: '2.0', method: 'session/update', params: { sessionId: session.id, update: updates[i], _meta: { seq: i + 1 } } });
      assert.equal(stored[i].json, JSON.stringify(stored[i].record));
      assert.deepEqual(stored[i].record, { k: 'u', s: i + 1, u: updates[i] });
    });
  });

  it('without a store, makes no frame for a client whose queue is behind (it merges chunks into frames of its own)', () => {
    const frames: (string | undefined)[] = [];
    const link = { clientId: 'c', user: 'u', capabilities: {}, flowing: true, notify: (_m: string, _p: unknown, frame?: string) => frames.push(frame) };
    const options = { gracePeriodMs: 1000, cleanupIntervalMs: 1000, replayMaxUpdates: 10, replayMaxBytes: 1e6, now: () => 0, logger: silentLogger };
    const session = new ServerSession('s', '/', 'u', 'c', 't', new TestModel('test', parseTestModelOptions('')), { durable: undefined, linkOf: () => link as unknown as ClientLink }, options);
    session.emit({ sessionUpdate: 'agent_message_chunk', content: { type: 'text', text: 'a' } });
    link.flowing = false;
    session.emit({ sessionUpdate: 'agent_message_chunk', content: { type: 'text', text: 'b' } });
    assert.equal(typeof frames[0], 'string');
    assert.equal(frames[1], undefined);
    assert.equal(session.replay.size, 2);
  });

  it("writes a turn's plain answer once: its history record points at the turn's chunks, and a restore (also after compaction) gives the model the same history", () => {
    const stored: StoredRecord[] = [{ k: 'meta', v: 1, id: 's', owner: 'u', cwd: '/', model: 'test', createdAt: 0 }];
    const durable = { append: (_id: string, record: StoredRecord) => stored.push(record) } as unknown as DurableStore;
    const link = { clientId: 'c', user: 'u', capabilities: {}, notify: () => undefined } as unknown as ClientLink;
    const options = { gracePeriodMs: 1000, cleanupIntervalMs: 1000, replayMaxUpdates: 100, replayMaxBytes: 1e6, now: () => 0, logger: silentLogger };
    const session = new ServerSession('s', '/', 'u', 'c', 't', new TestModel('test', parseTestModelOptions('')), { durable, linkOf: () => link }, options);
    const chunk = (text: string): SessionUpdate => ({ sessionUpdate: 'agent_message_chunk', content: { type: 'text', text } });
    const turn = (rid: number, prompt: string, chunks: string[], messages: Parameters<ServerSession['remember']>[0], streamed: boolean) => {
      session.record({ k: 'prompt', ts: rid, rid, blocks: [{ type: 'text', text: prompt }] });
      session.remember([{ role: 'user', content: prompt }], false);
      for (const text of chunks) session.emit(chunk(text));
      session.remember(messages, streamed);
      session.record({ k: 'turn_end', ts: rid, rid, stopReason: 'end_turn' });
    };
    turn(1, 'first', ['The first ', 'answer.'], [{ role: 'assistant', content: 'The first answer.' }], true);
    // A turn with a tool call, and one whose answer is not the chunks' text: written in full.
    turn(2, 'second', ['Reading. ', 'Done.'], [{ role: 'assistant', content: 'Reading. ', toolCalls: [{ id: 't', name: 'read', arguments: '{}' }] }, { role: 'tool', toolCallId: 't', content: 'x' }, { role: 'assistant', content: 'Done.' }], false);
    turn(3, 'third', ['shown'], [{ role: 'assistant', content: 'different' }], false);
    const histories = stored.filter((r) => r.k === 'history' && r.msgs[0]?.role !== 'user');
    assert.deepEqual(histories[0], { k: 'history', answer: true, msgs: [] }, 'the plain answer is not written again');
    assert.equal(histories[1].k === 'history' && histories[1].msgs.length, 3);
    assert.equal(histories[2].k === 'history' && histories[2].answer, undefined);
    const expected = [
      { role: 'user', content: 'first' },
      { role: 'assistant', content: 'The first answer.' },
      { role: 'user', content: 'second' },
      { role: 'assistant', content: 'Reading. ', toolCalls: [{ id: 't', name: 'read', arguments: '{}' }] },
      { role: 'tool', toolCallId: 't', content: 'x' },
      { role: 'assistant', content: 'Done.' },
      { role: 'user', content: 'third' },
      { role: 'assistant', content: 'different' },
    ];
    assert.deepEqual(restoredState(stored).history, expected);
    assert.deepEqual(restoredState(compactRecords(stored, Infinity)).history, expected, 'merging the chunks keeps the answer');
  });
});
