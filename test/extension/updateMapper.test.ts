import assert from 'node:assert/strict';
import { diffText, toolDetail, toolPermission, UpdateMapper } from '../../src/extension/updateMapper';
import { PERMISSION_META, TURN_META } from '../../src/protocol/punie';
import type { SessionUpdate } from '../../src/protocol/acp';
import { TranscriptModel } from '../../src/webview/transcriptModel';

function setup() {
  const model = new TranscriptModel();
  let n = 0;
  const mapper = new UpdateMapper(model, (prefix) => `${prefix}-${++n}`);
  const feed = (update: SessionUpdate) => {
    const ops = mapper.map('s1', update);
    for (const op of ops) assert.equal(model.apply(op), true, JSON.stringify(op));
    return ops;
  };
  return { model, mapper, feed };
}

const text = (t: string): SessionUpdate => ({ sessionUpdate: 'agent_message_chunk', content: { type: 'text', text: t } });

describe('UpdateMapper', () => {
  it('streams chunks into one answer, and a tool call in between starts a new one', () => {
    const { model, feed } = setup();
    feed(text('Hello '));
    assert.deepEqual(feed(text('world')), [{ op: 'append', id: 'agent-1', text: 'world' }]);
    feed({ sessionUpdate: 'tool_call', toolCallId: 't1', title: 'Read a.ts', kind: 'read', status: 'pending' });
    feed({ sessionUpdate: 'tool_call_update', toolCallId: 't1', status: 'completed', content: [{ type: 'content', content: { type: 'text', text: 'file body' } }] });
    feed(text('Done.'));
    assert.deepEqual(
      model.snapshot().map((i) => [i.kind, i.id]),
      [
        ['agent', 'agent-1'],
        ['tool', 'tool:s1:t1'],
        ['agent', 'agent-2'],
      ],
    );
    const tool = model.get('tool:s1:t1');
    assert.equal(tool?.kind === 'tool' && tool.status, 'completed');
    assert.equal(tool?.kind === 'tool' && tool.title, 'Read a.ts', 'an update without a title keeps the old one');
    assert.equal(tool?.kind === 'tool' && tool.detail, 'file body');
  });

  it('keeps thoughts apart from the answer and ignores empty chunks and unknown updates', () => {
    const { model, feed } = setup();
    feed({ sessionUpdate: 'agent_thought_chunk', content: { type: 'text', text: 'hmm' } });
    feed({ sessionUpdate: 'agent_thought_chunk', content: { type: 'text', text: '…' } });
    feed(text(''));
    feed({ sessionUpdate: 'current_mode_update', currentModeId: 'default' });
    feed(text('Answer'));
    assert.deepEqual(model.snapshot(), [
      { kind: 'thought', id: 'thought-1', text: 'hmm…' },
      { kind: 'agent', id: 'agent-2', text: 'Answer' },
    ]);
  });

  it('replaces the turn plan on each plan update, and starts a new plan on the next turn', () => {
    const { model, mapper, feed } = setup();
    const plan = (status: 'pending' | 'completed'): SessionUpdate => ({ sessionUpdate: 'plan', entries: [{ content: 'step', priority: 'high', status }] });
    feed(plan('pending'));
    assert.deepEqual(feed(plan('completed'))[0].op, 'replace');
    mapper.startTurn();
    feed(plan('pending'));
    assert.equal(model.snapshot().filter((i) => i.kind === 'plan').length, 2);
  });

  it('keeps the raster images of a tool result for the card, and drops SVG and data that is not base64', () => {
    const { model, feed } = setup();
    feed({ sessionUpdate: 'tool_call', toolCallId: 't1', title: 'Screenshot', kind: 'other', status: 'pending' });
    const image = (mimeType: string, data: string) => ({ type: 'content' as const, content: { type: 'image' as const, mimeType, data } });
    feed({
      sessionUpdate: 'tool_call_update',
      toolCallId: 't1',
      status: 'completed',
      content: [image('image/png', 'iVBORw0KGgo='), image('image/svg+xml', 'PHN2Zz4='), image('image/jpeg', '"><script>'), { type: 'content', content: { type: 'text', text: 'shot' } }],
    });
    const card = model.snapshot()[0] as any;
    assert.deepEqual(card.images, [{ mimeType: 'image/png', data: 'iVBORw0KGgo=' }]);
    assert.equal(card.detail, '[image]\n\n[image]\n\n[image]\n\nshot');
  });

  it('puts a recorded permission question and its outcome on the tool card, and a rejection makes the failed call "rejected"', () => {
    const { model, feed } = setup();
    const options = [
      { optionId: 'allow_once', name: 'Allow', kind: 'allow_once' as const },
      { optionId: 'reject_once', name: 'Reject', kind: 'reject_once' as const },
    ];
    const record = (outcome?: object): SessionUpdate => ({ sessionUpdate: 'tool_call_update', toolCallId: 't1', _meta: { [PERMISSION_META]: { title: 'Write a.txt', options, ...(outcome ? { outcome } : {}) } } });
    feed({ sessionUpdate: 'tool_call', toolCallId: 't1', title: 'Write a.txt', kind: 'edit', status: 'pending' });
    feed(record());
    assert.deepEqual((model.get('tool:s1:t1') as any).permission, { question: 'Write a.txt', outcome: 'waiting', answer: 'Waiting for your answer' });
    feed(record({ outcome: 'selected', optionId: 'reject_once' }));
    feed({ sessionUpdate: 'tool_call_update', toolCallId: 't1', status: 'failed' });
    const card = model.get('tool:s1:t1') as any;
    assert.deepEqual(card.permission, { question: 'Write a.txt', outcome: 'rejected', answer: 'Reject' }, 'a later update without the record keeps it');
    assert.equal(card.status, 'rejected');
    assert.deepEqual(toolPermission({ title: 'q', options, outcome: { outcome: 'cancelled' } }, 'failed'), { question: 'q', outcome: 'cancelled', answer: 'Cancelled' });
    assert.deepEqual(toolPermission({ title: 'q', options }, 'failed'), { question: 'q', outcome: 'failed', answer: 'No answer was recorded' }, 'asked, then the server stopped');
    assert.equal(toolPermission({ title: 'q', options, outcome: { outcome: 'selected', optionId: 'zzz' } }, 'completed')?.outcome, 'failed');
    assert.equal(toolPermission({ title: 7 }, 'completed'), undefined, 'a malformed record is ignored');
  });

  it('a call asked about live (its permission card in the chat) does not repeat the question and answer on its card', () => {
    const { model, feed } = setup();
    const options = [{ optionId: 'allow_once', name: 'Allow', kind: 'allow_once' as const }];
    feed({ sessionUpdate: 'tool_call', toolCallId: 't1', title: 'Write a.txt', kind: 'edit', status: 'pending' });
    // The server records the question before it asks: the card comes after that record.
    feed({ sessionUpdate: 'tool_call_update', toolCallId: 't1', _meta: { [PERMISSION_META]: { title: 'Write a.txt', options } } });
    model.apply({ op: 'add', item: { kind: 'permission', id: 'permission-x', toolCallId: 't1', title: 'Write a.txt', detail: '', options, outcome: 'allow_once' } });
    feed({ sessionUpdate: 'tool_call_update', toolCallId: 't1', _meta: { [PERMISSION_META]: { title: 'Write a.txt', options, outcome: { outcome: 'selected', optionId: 'allow_once' } } } });
    assert.equal((model.get('tool:s1:t1') as any).permission, undefined, 'the answer is on the card only');
    feed({ sessionUpdate: 'tool_call_update', toolCallId: 't1', status: 'completed' });
    assert.equal((model.get('tool:s1:t1') as any).permission, undefined, 'and stays so');
    feed({ sessionUpdate: 'tool_call', toolCallId: 't2', title: 'Write b.txt', kind: 'edit', status: 'pending' });
    feed({ sessionUpdate: 'tool_call_update', toolCallId: 't2', _meta: { [PERMISSION_META]: { title: 'Write b.txt', options, outcome: { outcome: 'selected', optionId: 'allow_once' } } } });
    assert.equal((model.get('tool:s1:t2') as any).permission.answer, 'Allow', 'a call with no card in the chat (replayed) shows it');
  });

  it('a replayed question keeps the id the chat gave it (and so its checkpoint\'s Restore); other ids get a new one', () => {
    const model = new TranscriptModel();
    let n = 0;
    const mapper = new UpdateMapper(model, (prefix) => `${prefix}-${++n}`, undefined, (turnId) => turnId === 'user-abc');
    const ask = (text: string, turnId?: unknown): SessionUpdate => ({ sessionUpdate: 'user_message_chunk', content: { type: 'text', text, ...(turnId === undefined ? {} : { _meta: { [TURN_META]: turnId } }) } });
    for (const update of [ask('first', 'user-abc'), text('ok'), ask('second', 'user-def'), text('ok'), ask('third', '<script>'), text('ok'), ask('fourth', 'user-abc'), text('ok'), ask('fifth')]) {
      for (const op of mapper.map('s1', update)) model.apply(op);
    }
    assert.deepEqual(
      model.snapshot().flatMap((i) => (i.kind === 'user' ? [[i.text, i.id, i.checkpoint ?? false]] : [])),
      [
        ['first', 'user-abc', true],
        ['second', 'user-def', false],
        ['third', 'user-3', false],
        ['fourth', 'user-5', false],
        ['fifth', 'user-7', false],
      ],
      'an id already shown is not used twice',
    );
  });

  it('creates a card for an update whose tool_call it never saw, and keeps terminal ids and locations', () => {
    const { model, feed } = setup();
    feed({
      sessionUpdate: 'tool_call_update',
      toolCallId: 'late',
      status: 'in_progress',
      locations: [{ path: '/w/a.ts', line: 4 }, { path: '/w/b.ts' }],
      content: [{ type: 'terminal', terminalId: 'term-1' }],
    });
    const item = model.get('tool:s1:late');
    assert.ok(item?.kind === 'tool');
    assert.deepEqual(item.locations, [{ path: '/w/a.ts', line: 4 }, { path: '/w/b.ts' }]);
    assert.deepEqual(item.terminalIds, ['term-1']);
  });

  it('describes diffs and raw input in the card detail, capped in size', () => {
    assert.equal(diffText('/a', 'x\ny\nz\n', 'x\nY\nz\n'), 'Edit /a\n@@ -1,3 +1,3 @@\n x\n-y\n+Y\n z');
    assert.equal(diffText('/n', null, 'hi\n'), 'New file /n\n@@ -0,0 +1,1 @@\n+hi');
    assert.match(toolDetail([], { path: '/a' }, undefined), /^Input:\n\{\n {2}"path": "\/a"\n\}$/);
    const big = toolDetail([{ type: 'content', content: { type: 'text', text: 'x'.repeat(100_000) } }], undefined, undefined);
    assert.ok(big.length < 17_000 && /more characters/.test(big));
  });
});
