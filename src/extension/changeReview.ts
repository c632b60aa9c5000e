/**
 * Reviewing the agent's changes, put together in one place for the services: the diff review on permission
 * cards, the accepted version replacing the agent's write, checkpoints before each turn's writes, and the
 * highlight of what landed. Services wire it in with a few calls and stay unaware of the parts.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { WebviewMessage } from '../webview/protocol';
import { ChangeHighlighter } from './changeHighlight';
import { Checkpoints, type TurnRef } from './checkpoints';
import type { PunieLog } from './log';
import { ProposalDocuments } from './proposalDocuments';
import { ReviewArchive } from './reviewArchive';
import { ReviewManager } from './reviews';
import type { TranscriptStore } from './transcriptStore';

export class ChangeReview implements vscode.Disposable {
  readonly reviews: ReviewManager;
  readonly checkpoints: Checkpoints;
  readonly highlighter = new ChangeHighlighter();
  /** The review diffs' documents and their saved texts (shared with a fresh ReviewManager in tests of a reload). */
  readonly proposals = new ProposalDocuments();
  readonly archive: ReviewArchive;

  constructor(context: Pick<vscode.ExtensionContext, 'workspaceState' | 'storageUri' | 'globalStorageUri'>, transcript: TranscriptStore, turn: () => TurnRef | undefined, log: PunieLog) {
    const storage = context.storageUri ?? context.globalStorageUri;
    this.archive = new ReviewArchive(path.join(storage.fsPath, 'reviews'));
    this.reviews = new ReviewManager(transcript, this.proposals, (file) => vscode.workspace.asRelativePath(file), log, this.archive);
    this.checkpoints = new Checkpoints(context.workspaceState, storage, transcript, turn, log);
  }

  /** The text to write for an agent's `fs/write_text_file`, after saving the checkpoint. */
  async beforeWrite(uri: vscode.Uri, path: string, content: string): Promise<string> {
    const accepted = this.reviews.contentToWrite(path, content);
    await this.checkpoints.beforeWrite(uri, accepted);
    return accepted;
  }

  /** The chat's review and checkpoint messages. */
  async handle(message: Extract<WebviewMessage, { type: 'review' | 'restoreCheckpoint' }>): Promise<void> {
    if (message.type === 'review') await this.reviews.act(message.id, message.action, message.hunk);
    else await this.checkpoints.restore(message.id);
  }

  dispose(): void {
    this.reviews.dispose();
    this.highlighter.dispose();
    this.proposals.dispose();
  }
}
