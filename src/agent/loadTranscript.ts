/**
 * What `session/load` replays: the session's updates in order, kept compact — consecutive text chunks of
 * one kind are merged, and a `tool_call_update` is folded into its `tool_call`, so a replayed tool call
 * arrives once, in its final state. Bounded by entries and by characters (what a reload must resend): the
 * oldest entries go first.
 */
import type { SessionUpdate, ToolCallUpdateFields } from '../protocol/acp';

type ToolUpdate = ToolCallUpdateFields & { sessionUpdate: 'tool_call_update' | 'tool_call' };

const MERGE_LIMIT = 64 * 1024;
/** How far back an update looks for its tool call (calls are updated soon after they start). */
const TOOL_LOOKBACK = 256;

export class Transcript {
  private entries: SessionUpdate[] = [];
  /** Characters of each entry (its text, or its JSON for tool calls and others), and their sum. */
  private sizes: number[] = [];
  private chars = 0;
  /** The last entry is a merged copy of ours (not an update object that was also sent), so it may grow in place. */
  private lastIsOwnCopy = false;

  constructor(
    private readonly maxEntries: number,
    private readonly maxChars: number,
  ) {}

  get size(): number {
    return this.chars;
  }

  get updates(): readonly SessionUpdate[] {
    return this.entries;
  }

  record(update: SessionUpdate): void {
    if (update.sessionUpdate === 'tool_call_update' && this.foldToolUpdate(update as ToolUpdate)) return;
    const last = this.entries[this.entries.length - 1];
    const text = last && mergeableText(last, update);
    if (text !== undefined) {
      const content = (last as { content: { type: 'text'; text: string } }).content;
      if (this.lastIsOwnCopy) content.text += text;
      else {
        this.entries[this.entries.length - 1] = { ...last, content: { ...content, text: content.text + text } } as SessionUpdate;
        this.lastIsOwnCopy = true;
      }
      this.resize(this.entries.length - 1, this.sizes[this.sizes.length - 1] + text.length);
    } else {
      this.lastIsOwnCopy = false;
      this.entries.push(update);
      this.sizes.push(0);
      this.resize(this.entries.length - 1, sizeOf(update));
    }
    this.trim();
  }

  private resize(index: number, size: number): void {
    this.chars += size - this.sizes[index];
    this.sizes[index] = size;
  }

  /** Drops the oldest entries past either bound (the newest one always stays). */
  private trim(): void {
    let drop = 0;
    let chars = this.chars;
    while (this.entries.length - drop > 1 && (this.entries.length - drop > this.maxEntries || chars > this.maxChars)) chars -= this.sizes[drop++];
    if (drop === 0) return;
    this.entries = this.entries.slice(drop);
    this.sizes = this.sizes.slice(drop);
    this.chars = chars;
  }

  private foldToolUpdate(update: ToolUpdate): boolean {
    const stop = Math.max(0, this.entries.length - TOOL_LOOKBACK);
    for (let i = this.entries.length - 1; i >= stop; i--) {
      const entry = this.entries[i] as ToolUpdate;
      if (entry.sessionUpdate !== 'tool_call' || entry.toolCallId !== update.toolCallId) continue;
      const changed = Object.fromEntries(Object.entries(update).filter(([key, value]) => key !== 'sessionUpdate' && value !== undefined && value !== null));
      // `_meta` keys add up (a permission record joins whatever the call carried).
      const meta = entry._meta && update._meta ? { _meta: { ...entry._meta, ...update._meta } } : {};
      this.entries[i] = { ...entry, ...changed, ...meta, sessionUpdate: 'tool_call' } as SessionUpdate;
      this.resize(i, sizeOf(this.entries[i]));
      this.trim();
      return true;
    }
    return false;
  }
}

/** The text of `b` when it can be appended to `a` (same kind of text chunk, under the merge limit). */
function mergeableText(a: SessionUpdate, b: SessionUpdate): string | undefined {
  if (a.sessionUpdate !== b.sessionUpdate) return undefined;
  if (a.sessionUpdate !== 'agent_message_chunk' && a.sessionUpdate !== 'agent_thought_chunk') return undefined;
  const left = a.content;
  const right = (b as typeof a).content;
  if (left.type !== 'text' || right.type !== 'text' || left.text.length + right.text.length > MERGE_LIMIT) return undefined;
  return right.text;
}

function sizeOf(update: SessionUpdate): number {
  if ('content' in update && !Array.isArray(update.content) && update.content?.type === 'text') return update.content.text.length;
  return JSON.stringify(update).length;
}
