import assert from 'node:assert/strict';
import { addCard, PendingPrompts } from '../../src/extension/pendingPrompts';
import { UpdateMapper } from '../../src/extension/updateMapper';
import { PERMISSION_META } from '../../src/protocol/punie';
import type { SessionUpdate } from '../../src/protocol/acp';
import { SessionPointer } from '../../src/extension/sessionPointer';
import type { ItemOf, TranscriptOp } from '../../src/webview/protocol';
import { TranscriptModel } from '../../src/webview/transcriptModel';

const card = (id: string): ItemOf<'permission'> => ({ kind: 'permission', id, title: `Write ${id}`, detail: '', options: [{ optionId: 'allow_once', name: 'Allow', kind: 'allow_once' }], outcome: null });

function setup() {
  const model = new TranscriptModel();
  const ops: TranscriptOp[] = [];
  const pointer = new SessionPointer();
  const prompts = new PendingPrompts<{ item: ItemOf<'permission'>; sessionId: string }>(
    {
      model,
      apply: (op) => {
        if (model.apply(op)) ops.push(op);
      },
    },
    () => pointer.sessionId,
  );
  return { model, ops, pointer, prompts };
}

describe('PendingPrompts (permission prompts routed by session)', () => {
  it("puts a prompt in the chat only when its session is shown; a background session's prompt waits outside it", () => {
    const { model, pointer, prompts } = setup();
    pointer.sessionId = 'a';
    assert.equal(prompts.add({ item: card('p1'), sessionId: 'a' }), true);
    assert.equal(prompts.add({ item: card('p2'), sessionId: 'b' }), false);
    assert.deepEqual(model.snapshot().map((i) => i.id), ['p1'], 'the viewed chat shows only its own prompt');
    assert.deepEqual([...prompts.sessions()].sort(), ['a', 'b']);
    assert.deepEqual(prompts.ids('b'), ['p2']);
    assert.ok(pointer.isBackground('b') && !pointer.isBackground('a'));
  });

  it('a switch answers nothing: the prompt comes back, once, when its session is shown again, and is answered there', () => {
    const { model, ops, pointer, prompts } = setup();
    pointer.sessionId = 'a';
    prompts.add({ item: card('p1'), sessionId: 'a' });
    prompts.add({ item: card('p2'), sessionId: 'b' });
    // The user switches to b: the replay clears the transcript, then b is shown.
    pointer.sessionId = 'b';
    model.apply({ op: 'clear' });
    assert.equal(prompts.show('b'), 1);
    assert.equal(prompts.show('b'), 0, 'a card already in the chat is not added twice');
    assert.deepEqual(model.snapshot().map((i) => i.id), ['p2']);
    assert.equal(prompts.size, 2, "a's prompt still waits");
    const settled = prompts.settle('p2', (c) => ({ ...c, outcome: 'allow_once' }));
    assert.equal(settled?.sessionId, 'b');
    assert.equal((model.get('p2') as ItemOf<'permission'>).outcome, 'allow_once');
    // Back to a: its prompt is shown again, still open.
    pointer.sessionId = 'a';
    model.apply({ op: 'clear' });
    prompts.show('a');
    assert.equal((model.get('p1') as ItemOf<'permission'>).outcome, null);
    assert.deepEqual([...prompts.sessions()], ['a']);
    assert.ok(ops.every((op) => op.op !== 'replace' || op.item.id === 'p2'));
  });

  it('settling a background prompt (answered from a notification) touches no card of the viewed chat; an unknown id is nothing', () => {
    const { model, ops, pointer, prompts } = setup();
    pointer.sessionId = 'a';
    prompts.add({ item: card('p2'), sessionId: 'b' });
    const before = ops.length;
    assert.ok(prompts.settle('p2', (c) => ({ ...c, outcome: 'cancelled' })));
    assert.equal(ops.length, before);
    assert.equal(model.length, 0);
    assert.equal(prompts.settle('p2', (c) => c), undefined, 'settled once');
    assert.equal(prompts.size, 0);
  });

  it("a call's card never repeats the question its permission card asks, whichever comes first (and after a switch back)", () => {
    const { model, pointer, prompts } = setup();
    pointer.sessionId = 'a';
    const mapper = new UpdateMapper(model, (prefix) => `${prefix}-1`);
    const feed = (update: SessionUpdate) => mapper.map('a', update).forEach((op) => model.apply(op));
    const options = [{ optionId: 'allow_once', name: 'Allow', kind: 'allow_once' as const }];
    const asked = (toolCallId: string, outcome?: unknown): SessionUpdate => ({ sessionUpdate: 'tool_call_update', toolCallId, _meta: { [PERMISSION_META]: { title: 'Write', options, ...(outcome ? { outcome } : {}) } } });
    const line = (toolCallId: string) => (model.get(`tool:a:${toolCallId}`) as ItemOf<'tool'>).permission;
    const withCall = (id: string, toolCallId: string): ItemOf<'permission'> => ({ ...card(id), toolCallId });

    // The record first (the server writes it before it asks): the line shows only until the card is in.
    feed({ sessionUpdate: 'tool_call', toolCallId: 't1', title: 'Write a', kind: 'edit', status: 'pending' });
    feed(asked('t1'));
    assert.equal(line('t1')?.outcome, 'waiting');
    prompts.add({ item: withCall('p1', 't1'), sessionId: 'a' });
    assert.equal(line('t1'), undefined, 'the card took the line off the call');
    feed({ sessionUpdate: 'tool_call_update', toolCallId: 't1', status: 'in_progress' });
    assert.equal(line('t1'), undefined, 'an update without the record does not bring it back');
    prompts.settle('p1', (c) => ({ ...c, outcome: 'allow_once' }));
    feed(asked('t1', { outcome: 'selected', optionId: 'allow_once' }));
    assert.equal(line('t1'), undefined, 'nor does the answer');

    // The card first (the request overtook the record): no line at all.
    feed({ sessionUpdate: 'tool_call', toolCallId: 't2', title: 'Write b', kind: 'edit', status: 'pending' });
    prompts.add({ item: withCall('p2', 't2'), sessionId: 'a' });
    feed(asked('t2'));
    assert.equal(line('t2'), undefined);

    // Switched away and back: the replay puts the waiting line on the call, the card shown again takes it off.
    model.apply({ op: 'clear' });
    feed({ sessionUpdate: 'tool_call', toolCallId: 't2', title: 'Write b', kind: 'edit', status: 'pending' });
    feed(asked('t2'));
    assert.equal(line('t2')?.outcome, 'waiting');
    prompts.show('a');
    assert.equal(line('t2'), undefined);

    // A card decided without asking (auto-approve) goes in the same way.
    feed({ sessionUpdate: 'tool_call', toolCallId: 't3', title: 'Read c', kind: 'read', status: 'pending' });
    feed(asked('t3'));
    addCard({ model, apply: (op) => model.apply(op) }, 'a', { ...withCall('p3', 't3'), outcome: 'allow_once' });
    assert.equal(line('t3'), undefined);
    assert.equal((model.get('p3') as ItemOf<'permission'>).outcome, 'allow_once');
  });
});
