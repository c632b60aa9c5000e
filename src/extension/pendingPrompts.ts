/**
 * The permission prompts waiting for the user, by session. A prompt belongs to its session: its card is in
 * the chat only while that session is shown (a background session's prompt never lands in the chat being
 * viewed), it comes back when the user switches to its session (after the replay rebuilt the transcript),
 * and a switch never answers or cancels it. Plain code, no vscode.
 */
import type { ItemOf, TranscriptOp } from '../webview/protocol';
import type { TranscriptModel } from '../webview/transcriptModel';
import { toolItemId } from './updateMapper';

export interface PromptTranscript {
  readonly model: Pick<TranscriptModel, 'get'>;
  apply(op: TranscriptOp): void;
}

/**
 * Puts a permission card in the chat. The card holds the question and its answer, so the call's own card
 * drops the "waiting for your answer" line the question's record put on it (the record comes first).
 */
export function addCard(transcript: PromptTranscript, sessionId: string, card: ItemOf<'permission'>): void {
  transcript.apply({ op: 'add', item: card });
  if (!card.toolCallId) return;
  const tool = transcript.model.get(toolItemId(sessionId, card.toolCallId));
  if (tool?.kind !== 'tool' || !tool.permission) return;
  const { permission: _shownOnCard, ...rest } = tool;
  transcript.apply({ op: 'replace', item: rest });
}

export class PendingPrompts<P extends { item: ItemOf<'permission'>; sessionId: string }> {
  private readonly byId = new Map<string, P>();

  constructor(
    private readonly transcript: PromptTranscript,
    /** The session the chat shows. */
    private readonly shown: () => string | undefined,
  ) {}

  get size(): number {
    return this.byId.size;
  }

  get(id: string): P | undefined {
    return this.byId.get(id);
  }

  /** Keeps a prompt until it is settled; true when its card went into the chat (its session is shown). */
  add(prompt: P): boolean {
    this.byId.set(prompt.item.id, prompt);
    const shown = this.shown() === prompt.sessionId;
    if (shown) addCard(this.transcript, prompt.sessionId, prompt.item);
    return shown;
  }

  /** The prompt leaves; its card, if the chat shows it, becomes `settled(current card)` (answered, not actionable). */
  settle(id: string, settled: (card: ItemOf<'permission'>) => ItemOf<'permission'>): P | undefined {
    const prompt = this.byId.get(id);
    if (!prompt) return undefined;
    this.byId.delete(id);
    // The card as it is now (a review updates it while the user decides).
    const current = this.transcript.model.get(id);
    if (current?.kind === 'permission') this.transcript.apply({ op: 'replace', item: settled(current) });
    return prompt;
  }

  /** `sessionId` is shown again (attached, transcript rebuilt): its waiting prompts whose cards are not in it are added; returns how many. */
  show(sessionId: string): number {
    let added = 0;
    for (const prompt of this.byId.values()) {
      if (prompt.sessionId !== sessionId || this.transcript.model.get(prompt.item.id)) continue;
      addCard(this.transcript, sessionId, prompt.item);
      added++;
    }
    return added;
  }

  /** Ids of the prompts of one session, or of all. */
  ids(sessionId?: string): string[] {
    return [...this.byId.values()].filter((p) => sessionId === undefined || p.sessionId === sessionId).map((p) => p.item.id);
  }

  /** The sessions with a prompt waiting for the user (the History list marks them). */
  sessions(): ReadonlySet<string> {
    return new Set([...this.byId.values()].map((p) => p.sessionId));
  }
}
