/**
 * Reviews of proposed file changes: a permission request whose tool call carries one ACP `diff` gets a
 * diff on its card, Accept / Reject per file and per hunk, and "Open diff" in VS Code's diff editor where the
 * proposal can be edited. The decision goes back through the permission broker (the one approval record):
 * an allow answer carries the accepted text in `_meta["punie/review"]` when it differs from the proposal,
 * and a write of the proposal that arrives afterwards is replaced by the accepted text, so what is accepted
 * is what gets written even with an agent that does not read `_meta`.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { REVIEW_META, type RequestPermissionRequest, type ReviewMeta } from '../protocol/acp';
import { runInBackground, type BackgroundLog } from '../util/background';
import type { ItemOf, ReviewState } from '../webview/protocol';
import type { ProposalDocuments } from './proposalDocuments';
import type { ReviewArchive } from './reviewArchive';
import { computeDiff, mergeHunks, reviewOf, type ReviewDiff } from './reviewDiff';
import type { TranscriptStore } from './transcriptStore';

/** Reviews kept for "Open diff" after they were decided. */
const KEEP_DECIDED = 50;
const EDIT_DEBOUNCE_MS = 250;

interface Open {
  id: string;
  /** Absolute path of the file. */
  file: string;
  shown: string;
  oldText: string | null;
  proposed: string;
  /** The proposal as it is now (the user may have edited it). */
  current: string;
  diff: ReviewDiff;
  states: ReviewState[];
  decided: boolean;
  before: vscode.Uri;
  after: vscode.Uri;
  timer?: ReturnType<typeof setTimeout>;
}

export type Answer = (id: string, optionId: string, meta?: Record<string, unknown>) => boolean;

export class ReviewManager implements vscode.Disposable {
  private readonly open = new Map<string, Open>();
  /** Accepted versions by file, until the agent's write arrives. */
  private readonly accepted = new Map<string, { proposed: string; content: string }>();
  private readonly subscription: vscode.Disposable;
  private answer: Answer = () => false;

  constructor(
    private readonly transcript: TranscriptStore,
    private readonly proposals: ProposalDocuments,
    private readonly relative: (file: string) => string,
    private readonly log: BackgroundLog,
    /** Keeps what "Open diff" needs across a window reload. */
    private readonly archive: ReviewArchive,
  ) {
    this.subscription = vscode.workspace.onDidChangeTextDocument((e) => {
      const review = [...this.open.values()].find((r) => r.after.toString() === e.document.uri.toString());
      if (review && !review.decided) this.scheduleRecompute(review);
    });
  }

  /** The broker's answer function (set once both exist). */
  connect(answer: Answer): void {
    this.answer = answer;
  }

  /** The card with its review, when the request proposes exactly one file change. */
  attach(item: ItemOf<'permission'>, request: RequestPermissionRequest): ItemOf<'permission'> {
    const diffs = (request.toolCall.content ?? []).filter((c) => c.type === 'diff');
    if (diffs.length !== 1 || diffs[0].type !== 'diff' || !path.isAbsolute(diffs[0].path)) return item;
    const { path: file, newText } = diffs[0];
    const oldText = diffs[0].oldText ?? null;
    const name = path.basename(file) || 'file';
    const review: Open = {
      id: item.id,
      file,
      shown: this.relative(file),
      oldText,
      proposed: newText,
      current: newText,
      diff: computeDiff(oldText ?? '', newText),
      states: [],
      decided: false,
      before: this.proposals.uri(item.id, 'before', name),
      after: this.proposals.uri(item.id, 'proposed', name),
    };
    review.states = review.diff.hunks.map(() => 'pending');
    this.open.set(item.id, review);
    this.trim();
    this.archiveNow(review);
    return this.itemFor(review, item);
  }

  /** The request was decided without the card (auto-approve, trust) or by an "always" option. */
  decidedElsewhere(id: string, outcome: 'allowed' | 'rejected' | 'cancelled'): void {
    const review = this.open.get(id);
    if (!review || review.decided) return;
    if (outcome !== 'cancelled') review.states = review.states.map((s) => (s === 'pending' ? (outcome === 'allowed' ? 'accepted' : 'rejected') : s));
    this.finish(review);
    runInBackground('closing the review diff', this.closeDiff(review), this.log);
  }

  /** A click on the card. */
  async act(id: string, action: 'accept' | 'reject' | 'openDiff', hunk?: number): Promise<void> {
    const review = this.open.get(id);
    if (!review && action === 'openDiff') return this.openSavedDiff(id);
    if (!review) return;
    if (action === 'openDiff') return this.openDiff(review);
    if (review.decided) return;
    this.recomputeNow(review);
    const state: ReviewState = action === 'accept' ? 'accepted' : 'rejected';
    if (hunk === undefined) review.states = review.states.map((s) => (s === 'pending' ? state : s));
    else if (review.states[hunk] === 'pending') review.states[hunk] = state;
    else return;
    if (review.states.includes('pending')) return this.publish(review);
    await this.decide(review, action === 'accept');
  }

  /** The text to write for an agent's write: the accepted version when the agent sends its own proposal. */
  contentToWrite(file: string, content: string): string {
    const accepted = this.accepted.get(file);
    if (!accepted) return content;
    this.accepted.delete(file);
    return content === accepted.proposed ? accepted.content : content;
  }

  dispose(): void {
    this.subscription.dispose();
    for (const review of this.open.values()) clearTimeout(review.timer);
    this.open.clear();
  }

  /** `lastAccepted` decides a change without hunks (the text stays as it is). */
  private async decide(review: Open, lastAccepted: boolean): Promise<void> {
    const item = this.transcript.model.get(review.id);
    if (item?.kind !== 'permission') return;
    const accepted = review.states.filter((s) => s === 'accepted').length;
    const allow = accepted > 0 || (review.states.length === 0 && lastAccepted);
    const option = item.options.find((o) => o.kind === (allow ? 'allow_once' : 'reject_once'));
    if (!option) return;
    this.finish(review);
    const content = mergeHunks(review.diff, review.states, 'rejected');
    let meta: Record<string, unknown> | undefined;
    if (allow && content !== review.proposed) {
      const rejected = review.states.length - accepted;
      const note = review.current !== review.proposed ? 'the user edited it' : `the user rejected ${rejected} of ${review.states.length} hunks`;
      meta = { [REVIEW_META]: { content, note } satisfies ReviewMeta };
      this.accepted.set(review.file, { proposed: review.proposed, content });
    }
    this.answer(review.id, option.optionId, meta);
    await this.closeDiff(review);
  }

  private finish(review: Open): void {
    review.decided = true;
    clearTimeout(review.timer);
    this.publish(review);
    this.archiveNow(review);
  }

  /** What the diff editor shows on the right: the proposal while open (or never decided), else what was accepted of it. */
  private shownAfter(review: Open): string {
    return review.decided && review.states.some((s) => s !== 'pending') ? mergeHunks(review.diff, review.states, 'rejected') : review.current;
  }

  private archiveNow(review: Open): void {
    const saved = { file: review.file, before: review.oldText, after: this.shownAfter(review), decided: review.decided };
    runInBackground('saving the review for Open diff', this.archive.save(review.id, saved), this.log);
  }

  /** "Open diff" on a card from before a window reload: the saved texts, read-only. */
  private async openSavedDiff(id: string): Promise<void> {
    const saved = await this.archive.load(id);
    if (!saved) {
      runInBackground('telling that a diff is gone', vscode.window.showInformationMessage('The diff of this change is no longer kept.'), this.log);
      return;
    }
    const name = path.basename(saved.file) || 'file';
    const before = this.proposals.uri(id, 'before', name);
    const after = this.proposals.uri(id, 'proposed', name);
    this.proposals.set(before, saved.before ?? '', true);
    this.proposals.set(after, saved.after, true);
    const title = `${name}: ${saved.decided ? 'reviewed change' : 'proposed change (not decided)'}`;
    await vscode.commands.executeCommand('vscode.diff', before, after, title, { preview: false });
  }

  private publish(review: Open): void {
    const item = this.transcript.model.get(review.id);
    if (item?.kind === 'permission') this.transcript.apply({ op: 'replace', item: this.itemFor(review, item) });
  }

  private itemFor(review: Open, item: ItemOf<'permission'>): ItemOf<'permission'> {
    const hunks = review.diff.hunks.map((h, i) => ({ ...h, state: review.states[i] }));
    return { ...item, review: reviewOf(review.shown, review.oldText === null, { ...review.diff, hunks }, review.current !== review.proposed) };
  }

  private async openDiff(review: Open): Promise<void> {
    this.proposals.set(review.before, review.oldText ?? '', true);
    if (this.proposals.text(review.after) === undefined || review.decided) this.proposals.set(review.after, this.shownAfter(review), review.decided);
    const title = `${path.basename(review.file)}: ${review.decided ? 'reviewed change' : 'proposed change (editable)'}`;
    await vscode.commands.executeCommand('vscode.diff', review.before, review.after, title, { preview: false });
  }

  private scheduleRecompute(review: Open): void {
    clearTimeout(review.timer);
    review.timer = setTimeout(() => {
      review.timer = undefined;
      if (this.recomputeNow(review)) this.publish(review);
    }, EDIT_DEBOUNCE_MS);
  }

  /** Takes the edited proposal as the new proposal; hunk decisions start over. True when it changed. */
  private recomputeNow(review: Open): boolean {
    clearTimeout(review.timer);
    const text = this.proposals.text(review.after);
    if (text === undefined || text === review.current) return false;
    review.current = text;
    review.diff = computeDiff(review.oldText ?? '', text);
    review.states = review.diff.hunks.map(() => 'pending');
    return true;
  }

  private async closeDiff(review: Open): Promise<void> {
    const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === review.after.toString());
    if (document?.isDirty) await document.save();
    const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputTextDiff && t.input.modified.toString() === review.after.toString());
    if (tabs.length > 0) await vscode.window.tabGroups.close(tabs);
  }

  private trim(): void {
    const decided = [...this.open.values()].filter((r) => r.decided);
    for (const review of decided.slice(0, Math.max(0, decided.length - KEEP_DECIDED))) {
      this.open.delete(review.id);
      this.proposals.forget(review.id);
    }
  }
}
