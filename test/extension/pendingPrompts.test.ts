import assert from 'node:assert/strict';
import { PendingPrompts } from '../../src/extension/pendingPrompts';
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
});
