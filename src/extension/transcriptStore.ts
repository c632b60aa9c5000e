/**
 * The transcript the chat view shows: every change goes through here and is published to the view as an
 * op. The session's log on the server is the source of truth (a reload replays it); the copy saved here
 * (debounced, size-capped, in workspaceState) is only a cache, shown, marked, while the server is unreachable.
 */
import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import { TranscriptItem, type TranscriptOp } from '../webview/protocol';
import { TranscriptModel } from '../webview/transcriptModel';
import { runInBackground } from '../util/background';

const STATE_KEY = 'punie.transcript.v1';
const MAX_PERSISTED_CHARS = 2 * 1024 * 1024;
const SAVE_DELAY_MS = 1000;
/** The one notice that marks a cached copy: updated in place, and never restored (each window marks anew). */
const CACHED_MARK_ID = 'notice-cached-copy';

export class TranscriptStore implements vscode.Disposable {
  readonly model: TranscriptModel;
  /** True when the transcript is the cache a previous window saved. */
  readonly restored: boolean;
  private readonly opEmitter = new vscode.EventEmitter<TranscriptOp>();
  readonly onDidApply = this.opEmitter.event;
  private saveTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly memento: vscode.Memento) {
    const items = loadItems(memento.get<unknown>(STATE_KEY));
    this.model = new TranscriptModel(items);
    this.restored = items.length > 0;
  }

  newId(prefix: string): string {
    return `${prefix}-${randomUUID()}`;
  }

  apply(op: TranscriptOp): void {
    if (!this.model.apply(op)) return;
    this.opEmitter.fire(op);
    this.scheduleSave();
  }

  add(item: TranscriptItem): void {
    this.apply({ op: 'add', item });
  }

  notice(level: 'info' | 'warning' | 'error', text: string, action?: 'retry' | 'pickModel'): void {
    this.add({ kind: 'notice', id: this.newId('notice'), level, text, ...(action ? { action } : {}) });
  }

  /** Marks the transcript shown as the cached copy, or says how that stands now (one notice, kept up to date). */
  markCached(level: 'info' | 'warning', text: string): void {
    const item: TranscriptItem = { kind: 'notice', id: CACHED_MARK_ID, level, text };
    this.apply({ op: this.model.get(CACHED_MARK_ID) ? 'replace' : 'add', item });
  }

  /** Saves now (turn ended, extension deactivating). */
  save(): Thenable<void> {
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    return this.memento.update(STATE_KEY, this.model.trimmed(MAX_PERSISTED_CHARS));
  }

  dispose(): void {
    runInBackground('saving the transcript', this.save());
    this.opEmitter.dispose();
  }

  private scheduleSave(): void {
    this.saveTimer ??= setTimeout(() => runInBackground('saving the transcript', this.save()), SAVE_DELAY_MS);
  }
}

/** Items saved by an earlier window; prompts still waiting then can no longer be answered. */
function loadItems(saved: unknown): TranscriptItem[] {
  if (!Array.isArray(saved)) return [];
  const items: TranscriptItem[] = [];
  for (const raw of saved) {
    const parsed = TranscriptItem.safeParse(raw);
    if (!parsed.success) continue;
    const item = parsed.data;
    if (item.id === CACHED_MARK_ID) continue;
    if (item.kind === 'permission' && item.outcome === null) items.push({ ...item, outcome: 'cancelled' });
    else if (item.kind === 'tool' && (item.status === 'pending' || item.status === 'in_progress')) {
      const waiting = item.permission?.outcome === 'waiting';
      items.push({ ...item, status: 'failed', ...(waiting ? { permission: { ...item.permission!, outcome: 'failed' as const, answer: 'No answer was recorded' } } : {}) });
    }
    else items.push(item);
  }
  return items;
}
