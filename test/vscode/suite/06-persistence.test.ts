import assert from 'node:assert/strict';
import type * as vscode from 'vscode';
import { TranscriptStore } from '../../../src/extension/transcriptStore';

/** A workspaceState stand-in that keeps values in memory, as VS Code does between window reloads. */
class MemoryMemento implements vscode.Memento {
  private readonly values = new Map<string, unknown>();
  keys(): readonly string[] {
    return [...this.values.keys()];
  }
  get<T>(key: string, fallback?: T): T | undefined {
    return this.values.has(key) ? (structuredClone(this.values.get(key)) as T) : fallback;
  }
  update(key: string, value: unknown): Thenable<void> {
    this.values.set(key, structuredClone(value));
    return Promise.resolve();
  }
}

describe('the transcript across a window reload', () => {
  it('comes back from workspaceState, with questions that can no longer be answered closed', async () => {
    const memento = new MemoryMemento();
    const before = new TranscriptStore(memento);
    assert.equal(before.restored, false);
    before.add({ kind: 'user', id: 'u', text: 'question' });
    before.add({ kind: 'agent', id: 'a', text: 'answer **bold**' });
    before.add({ kind: 'tool', id: 't', title: 'Run tests', toolKind: 'execute', status: 'in_progress', detail: '', locations: [], terminalIds: [] });
    before.add({ kind: 'permission', id: 'p', title: 'Write a.ts', detail: '', options: [{ optionId: 'y', name: 'Allow', kind: 'allow_once' }], outcome: null });
    await before.save();
    before.dispose();

    const after = new TranscriptStore(memento);
    assert.equal(after.restored, true);
    const items = after.model.snapshot();
    assert.deepEqual(items.map((i) => i.id), ['u', 'a', 't', 'p']);
    assert.equal(items[1].kind === 'agent' && items[1].text, 'answer **bold**');
    assert.equal(items[2].kind === 'tool' && items[2].status, 'failed', 'a tool that was running when the window closed did not finish');
    assert.equal(items[3].kind === 'permission' && items[3].outcome, 'cancelled');
    after.dispose();
  });

  it('ignores saved data that does not fit the contract', async () => {
    const memento = new MemoryMemento();
    await memento.update('punie.transcript.v1', [{ kind: 'script', id: 'x' }, { kind: 'user', id: 'ok', text: 'kept' }, 'junk']);
    const store = new TranscriptStore(memento);
    assert.deepEqual(store.model.snapshot(), [{ kind: 'user', id: 'ok', text: 'kept' }]);
    store.dispose();
  });

  it('marks a cached copy with one notice kept up to date, which a later window does not restore', async () => {
    const memento = new MemoryMemento();
    const first = new TranscriptStore(memento);
    first.add({ kind: 'user', id: 'u', text: 'question' });
    first.markCached('info', 'being reopened');
    first.markCached('warning', 'cached copy');
    const notices = first.model.snapshot().filter((i) => i.kind === 'notice');
    assert.deepEqual(notices.map((n) => n.kind === 'notice' && [n.level, n.text]), [['warning', 'cached copy']], 'one notice, updated in place');
    await first.save();
    first.dispose();
    const second = new TranscriptStore(memento);
    assert.deepEqual(second.model.snapshot().map((i) => i.id), ['u'], 'the mark is not part of the conversation');
    second.dispose();
  });
});
