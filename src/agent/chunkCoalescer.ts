/**
 * Text chunks a model produces faster than one event-loop turn become one update: a burst of chunks costs
 * one seq, one replay entry, one log record and one frame instead of one of each per chunk, while a model
 * at human pace (each chunk in a turn of its own) still gets one update per chunk, sent one tick later.
 * What is held is sent at the end of the macrotask (setImmediate), before any other update, and when the
 * turn ends; a change of kind (thought ↔ message) or reaching `MAX_COALESCED_TEXT` sends it too, so order and
 * the thought/message split are kept. A coalesced update is just a longer chunk, which every client handles.
 */
import type { SessionUpdate } from '../protocol/acp';
import { MAX_COALESCED_TEXT } from './text';

type ChunkKind = 'agent_message_chunk' | 'agent_thought_chunk';

export interface Ticker {
  schedule(run: () => void): unknown;
  cancel(handle: unknown): void;
}

const immediate: Ticker = { schedule: (run) => setImmediate(run), cancel: (handle) => clearImmediate(handle as NodeJS.Immediate) };

/** A chunk that may be merged: plain text and nothing else a merge could lose (message id, annotations, meta). */
export function plainTextChunk(update: SessionUpdate): { kind: ChunkKind; text: string } | undefined {
  if (update.sessionUpdate !== 'agent_message_chunk' && update.sessionUpdate !== 'agent_thought_chunk') return undefined;
  const { content } = update;
  if (content.type !== 'text' || content.annotations != null || content._meta != null || update.messageId != null || update._meta != null) return undefined;
  return { kind: update.sessionUpdate, text: content.text };
}

export class ChunkCoalescer {
  private kind: ChunkKind = 'agent_message_chunk';
  private pieces: string[] = [];
  private length = 0;
  private scheduled: unknown;

  constructor(
    private readonly out: (update: SessionUpdate) => void,
    /** An update failed to go out at the end of a tick (no caller to throw to). */
    private readonly failed: (err: unknown) => void,
    private readonly ticker: Ticker = immediate,
  ) {}

  push(kind: ChunkKind, text: string): void {
    if (this.pieces.length && (kind !== this.kind || this.length + text.length > MAX_COALESCED_TEXT)) this.flush();
    this.kind = kind;
    this.pieces.push(text);
    this.length += text.length;
    this.scheduled ??= this.ticker.schedule(this.tick);
  }

  /** Sends what is held, if anything, now. */
  flush(): void {
    if (this.scheduled !== undefined) {
      this.ticker.cancel(this.scheduled);
      this.scheduled = undefined;
    }
    if (this.pieces.length === 0) return;
    const text = this.pieces.length === 1 ? this.pieces[0] : this.pieces.join('');
    this.pieces = [];
    this.length = 0;
    this.out({ sessionUpdate: this.kind, content: { type: 'text', text } });
  }

  private readonly tick = (): void => {
    this.scheduled = undefined;
    try {
      this.flush();
    } catch (err) {
      this.failed(err);
    }
  };
}
