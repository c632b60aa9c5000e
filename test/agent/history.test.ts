import assert from 'node:assert/strict';
import { History } from '../../src/agent/history';
import type { ChatMessage } from '../../src/agent/models/types';
import { Transcript } from '../../src/agent/loadTranscript';

const exchange = (n: number): ChatMessage[] => [
  { role: 'user', content: `q${n}` },
  { role: 'assistant', content: '', toolCalls: [{ id: `c${n}`, name: 'read_file', arguments: '{}' }] },
  { role: 'tool', toolCallId: `c${n}`, content: `r${n}` },
  { role: 'assistant', content: `a${n}` },
];

describe('History', () => {
  it('drops whole exchanges from the start when over the message count', () => {
    const history = new History({ maxMessages: 6, maxChars: 1e9 });
    history.push(...exchange(1), ...exchange(2));
    assert.deepEqual(history.all, exchange(2));
  });

  it('drops by characters too, never leaving a tool result without its call', () => {
    const history = new History({ maxMessages: 100, maxChars: 30 });
    history.push({ role: 'user', content: 'x'.repeat(20) }, { role: 'assistant', content: 'y' }, ...exchange(3));
    assert.equal(history.all[0].role, 'user');
    assert.deepEqual(history.all, exchange(3));
  });

  it('always keeps the latest exchange, even alone over the limits', () => {
    const history = new History({ maxMessages: 2, maxChars: 5 });
    history.push(...exchange(1));
    history.push({ role: 'user', content: 'a long question' });
    assert.deepEqual(history.all, [{ role: 'user', content: 'a long question' }]);
  });
});

describe('Transcript', () => {
  it('merges text chunks, folds tool call updates into their call, and stays bounded', () => {
    const t = new Transcript(3, 1_000_000);
    t.record({ sessionUpdate: 'agent_message_chunk', content: { type: 'text', text: 'a' } });
    t.record({ sessionUpdate: 'agent_message_chunk', content: { type: 'text', text: 'b' } });
    t.record({ sessionUpdate: 'tool_call', toolCallId: 't1', title: 'Run', status: 'pending' });
    t.record({ sessionUpdate: 'tool_call_update', toolCallId: 't1', status: 'in_progress', title: null });
    t.record({ sessionUpdate: 'tool_call_update', toolCallId: 't1', status: 'completed', content: [{ type: 'terminal', terminalId: 'x' }] });
    assert.deepEqual(t.updates, [
      { sessionUpdate: 'agent_message_chunk', content: { type: 'text', text: 'ab' } },
      { sessionUpdate: 'tool_call', toolCallId: 't1', title: 'Run', status: 'completed', content: [{ type: 'terminal', terminalId: 'x' }] },
    ]);
    t.record({ sessionUpdate: 'user_message_chunk', content: { type: 'text', text: 'u1' } });
    t.record({ sessionUpdate: 'user_message_chunk', content: { type: 'text', text: 'u2' } });
    assert.equal(t.updates.length, 3);
    assert.equal(t.updates[0].sessionUpdate, 'tool_call');
  });

  it('stays within its character bound, dropping the oldest entries and keeping the newest', () => {
    const t = new Transcript(100, 1000);
    t.record({ sessionUpdate: 'user_message_chunk', content: { type: 'text', text: 'question' } });
    for (let i = 0; i < 30; i++) t.record({ sessionUpdate: 'agent_message_chunk', content: { type: 'text', text: 'x'.repeat(100) } });
    assert.equal(t.updates.length, 1, 'the merged answer is the one entry left');
    assert.equal(t.size, 3000, 'one entry over the bound is kept whole');
    t.record({ sessionUpdate: 'tool_call', toolCallId: 't1', title: 'Read', status: 'pending' });
    assert.equal(t.updates.length, 1);
    assert.equal(t.updates[0].sessionUpdate, 'tool_call');
    assert.ok(t.size < 1000);
  });

  it('keeps an update whose call is no longer in the transcript', () => {
    const t = new Transcript(10, 1_000_000);
    t.record({ sessionUpdate: 'tool_call_update', toolCallId: 'gone', status: 'failed' });
    assert.deepEqual(t.updates, [{ sessionUpdate: 'tool_call_update', toolCallId: 'gone', status: 'failed' }]);
  });
});
