/**
 * What `session/load` replays: the session's updates in order, kept compact — consecutive text chunks of
 * one kind are merged, and a `tool_call_update` is folded into its `tool_call`, so a replayed tool call
 * arrives once, in its final state. Bounded: the oldest entries go first.
 */
import type { SessionUpdate, ToolCallUpdateFields } from '../protocol/acp';

type ToolUpdate = ToolCallUpdateFields & { sessionUpdate: 'tool_call_update' | 'tool_call' };

const MERGE_LIMIT = 64 * 1024;
/** How far back an update looks for its tool call (calls are updated soon after they start). */
const TOOL_LOOKBACK = 256;

export class Transcript {
  private readonly entries: SessionUpdate[] = [];
  /** The last entry is a merged copy of ours (not an update object that was also sent), so it may grow in place. */
  private lastIsOwnCopy = false;

  constructor(private readonly maxEntries: number) {}

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
      return;
    }
    this.lastIsOwnCopy = false;
    this.entries.push(update);
    if (this.entries.length > this.maxEntries) this.entries.shift();
  }

  private foldToolUpdate(update: ToolUpdate): boolean {
    const stop = Math.max(0, this.entries.length - TOOL_LOOKBACK);
    for (let i = this.entries.length - 1; i >= stop; i--) {
      const entry = this.entries[i] as ToolUpdate;
      if (entry.sessionUpdate !== 'tool_call' || entry.toolCallId !== update.toolCallId) continue;
      const changed = Object.fromEntries(Object.entries(update).filter(([key, value]) => key !== 'sessionUpdate' && value !== undefined && value !== null));
      this.entries[i] = { ...entry, ...changed, sessionUpdate: 'tool_call' } as SessionUpdate;
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
