import assert from 'node:assert/strict';
import type { ItemOf } from '../../src/webview/protocol';
import { TranscriptModel } from '../../src/webview/transcriptModel';

describe('TranscriptModel', () => {
  it('adds, appends and replaces by id, in order', () => {
    const model = new TranscriptModel();
    assert.equal(model.apply({ op: 'add', item: { kind: 'user', id: 'u', text: 'q' } }), true);
    assert.equal(model.apply({ op: 'add', item: { kind: 'agent', id: 'a', text: 'Hel' } }), true);
    assert.equal(model.apply({ op: 'append', id: 'a', text: 'lo' }), true);
    const plan: ItemOf<'plan'> = { kind: 'plan', id: 'p', entries: [{ content: 'x', priority: 'low', status: 'pending' }] };
    model.apply({ op: 'add', item: plan });
    model.apply({ op: 'replace', item: { ...plan, entries: [] } });
    assert.deepEqual(model.snapshot(), [
      { kind: 'user', id: 'u', text: 'q' },
      { kind: 'agent', id: 'a', text: 'Hello' },
      { kind: 'plan', id: 'p', entries: [] },
    ]);
  });

  it('refuses ops that do not fit and changes nothing', () => {
    const model = new TranscriptModel([{ kind: 'notice', id: 'n', level: 'info', text: 't' }]);
    assert.equal(model.apply({ op: 'add', item: { kind: 'user', id: 'n', text: 'dup' } }), false);
    assert.equal(model.apply({ op: 'append', id: 'missing', text: 'x' }), false);
    assert.equal(model.apply({ op: 'append', id: 'n', text: 'x' }), false);
    assert.equal(model.apply({ op: 'replace', item: { kind: 'user', id: 'n', text: 'x' } }), false);
    assert.deepEqual(model.snapshot(), [{ kind: 'notice', id: 'n', level: 'info', text: 't' }]);
  });

  it('clears, and trims the oldest items to a size budget', () => {
    const model = new TranscriptModel();
    for (let i = 0; i < 10; i++) model.apply({ op: 'add', item: { kind: 'agent', id: `a${i}`, text: 'x'.repeat(100) } });
    const kept = model.trimmed(500);
    assert.deepEqual(kept.map((i) => i.id), ['a7', 'a8', 'a9']);
    model.apply({ op: 'clear' });
    assert.equal(model.length, 0);
    assert.equal(model.apply({ op: 'append', id: 'a1', text: 'x' }), false);
  });
});
