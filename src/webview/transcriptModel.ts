/**
 * The transcript as data: items in order, changed only through `TranscriptOp`s. The host keeps the true copy
 * (a webview is re-created on hide/show and gets a snapshot); the same ops go to the webview as deltas.
 */
import type { TranscriptItem, TranscriptOp } from './protocol';

export class TranscriptModel {
  private items: TranscriptItem[] = [];
  private readonly index = new Map<string, number>();

  constructor(initial: readonly TranscriptItem[] = []) {
    for (const item of initial) this.apply({ op: 'add', item });
  }

  get length(): number {
    return this.items.length;
  }

  snapshot(): TranscriptItem[] {
    return this.items.map((item) => ({ ...item }));
  }

  get(id: string): TranscriptItem | undefined {
    const at = this.index.get(id);
    return at === undefined ? undefined : this.items[at];
  }

  /** Whether any item passes `test` (a scan: for rare questions, not per streamed chunk). */
  some(test: (item: TranscriptItem) => boolean): boolean {
    return this.items.some(test);
  }

  /** Applies one op; returns false (and changes nothing) when it does not fit the transcript. */
  apply(op: TranscriptOp): boolean {
    switch (op.op) {
      case 'add':
        if (this.index.has(op.item.id)) return false;
        this.index.set(op.item.id, this.items.length);
        this.items.push({ ...op.item });
        return true;
      case 'append': {
        const at = this.index.get(op.id);
        if (at === undefined) return false;
        const item = this.items[at];
        if (item.kind !== 'agent' && item.kind !== 'user' && item.kind !== 'thought') return false;
        this.items[at] = { ...item, text: item.text + op.text };
        return true;
      }
      case 'replace': {
        const at = this.index.get(op.item.id);
        if (at === undefined || this.items[at].kind !== op.item.kind) return false;
        this.items[at] = { ...op.item };
        return true;
      }
      case 'clear':
        this.items = [];
        this.index.clear();
        return true;
    }
  }

  /** Drops the oldest items until the text kept is at most `maxChars` (for persistence). */
  trimmed(maxChars: number): TranscriptItem[] {
    let total = 0;
    let start = this.items.length;
    while (start > 0) {
      const size = itemSize(this.items[start - 1]);
      if (total + size > maxChars) break;
      total += size;
      start--;
    }
    return this.items.slice(start).map((item) => ({ ...item }));
  }
}

function itemSize(item: TranscriptItem): number {
  switch (item.kind) {
    case 'user':
    case 'agent':
    case 'thought':
    case 'notice':
      return item.text.length + 64;
    case 'tool':
    case 'permission':
      return item.title.length + item.detail.length + 128 + (item.kind === 'tool' ? (item.images ?? []).reduce((n, i) => n + i.data.length, 0) : 0);
    case 'plan':
      return item.entries.reduce((n, e) => n + e.content.length + 32, 64);
  }
}
