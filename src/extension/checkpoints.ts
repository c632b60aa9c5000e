/**
 * Checkpoints of the agent's turns: before a turn first writes a file, the file's text is saved, and the
 * turn's question gets "Restore checkpoint", which puts back every file the turn changed after a
 * confirmation that lists them and says which changed since. When every file of the turn is in one git
 * repository the snapshot is kept there (gitSnapshots.ts: objects and a ref under refs/punie/, never the
 * user's index, branches or working tree); otherwise in the extension's workspace storage. Restoring works
 * the same from both. Kept on the client (the files are the client's), keyed by session and turn, bounded
 * by checkpointIndex.ts.
 */
import * as vscode from 'vscode';
import { z } from 'zod';
import { runInBackground, type BackgroundLog } from '../util/background';
import { prune, restorePlan, type CheckpointFile } from './checkpointIndex';
import { GitSnapshots } from './gitSnapshots';
import type { TranscriptStore } from './transcriptStore';

const INDEX_KEY = 'punie.checkpoints.v1';
/** `repo`: the git repository holding the snapshot (else it is a file in the storage). */
const Entry = z.object({ sessionId: z.string(), turnId: z.string(), created: z.number(), paths: z.array(z.string()), repo: z.string().optional() });
type Entry = z.infer<typeof Entry>;
const Saved = z.object({ sessionId: z.string(), turnId: z.string(), files: z.array(z.object({ path: z.string(), before: z.string().nullable(), after: z.string() })) });

export interface TurnRef {
  sessionId: string;
  turnId: string;
}

/** Asks the user; true to go ahead. */
export type Confirm = (message: string, detail: string) => Thenable<boolean>;

const modalConfirm: Confirm = (message, detail) => vscode.window.showWarningMessage(message, { modal: true, detail }, 'Restore').then((c) => c === 'Restore');

export class Checkpoints {
  /** Snapshots of the running turn, by file; written to storage after each change. */
  private current: { ref: TurnRef; files: Map<string, CheckpointFile> } | undefined;
  private saving: Promise<void> = Promise.resolve();

  constructor(
    private readonly memento: vscode.Memento,
    private readonly storage: vscode.Uri,
    private readonly transcript: TranscriptStore,
    private readonly turn: () => TurnRef | undefined,
    private readonly log: BackgroundLog,
    private readonly now: () => number = Date.now,
    private readonly git = new GitSnapshots(),
  ) {}

  /** Called before the agent writes `uri`: saves its text the first time this turn touches it. */
  async beforeWrite(uri: vscode.Uri, content: string): Promise<void> {
    const ref = this.turn();
    if (!ref) return;
    if (this.current?.ref.turnId !== ref.turnId) this.current = { ref, files: new Map() };
    const files = this.current.files;
    const key = uri.toString();
    const known = files.get(key);
    if (known) known.after = content;
    else files.set(key, { path: key, before: await readText(uri), after: content });
    const checkpoint = { ...ref, created: this.now(), files: [...files.values()] };
    this.saving = this.saving.then(() => this.persist(checkpoint));
    await this.saving;
    if (!known && files.size === 1) this.markTurn(ref.turnId);
  }

  /** Whether a turn (its question's transcript id) has a checkpoint kept: a replayed question still offers Restore. */
  has(turnId: string): boolean {
    return this.index().some((e) => e.turnId === turnId);
  }

  /** Puts back the files of a turn, after asking. Resolves to how many were restored (0: nothing, or declined). */
  async restore(turnId: string, confirm: Confirm = modalConfirm): Promise<number> {
    const checkpoint = await this.load(turnId);
    if (!checkpoint) {
      runInBackground('telling that a checkpoint is gone', vscode.window.showInformationMessage('This checkpoint is no longer kept (checkpoints last 30 days, 100 per session).'), this.log);
      return 0;
    }
    const texts = new Map<string, string | null>();
    for (const file of checkpoint.files) texts.set(file.path, await readText(vscode.Uri.parse(file.path)));
    const plan = restorePlan(checkpoint.files, (path) => texts.get(path) ?? null);
    const changed = plan.filter((p) => p.changed).length;
    const names = plan.map((p) => vscode.workspace.asRelativePath(vscode.Uri.parse(p.path)));
    const lines = plan.map((p, i) => `${names[i]}${p.before === null ? ' (will be deleted)' : ''}${p.changed ? ' — changed since; those changes will be lost' : ''}`);
    const message = `Restore ${plan.length} file${plan.length === 1 ? '' : 's'} to how ${plan.length === 1 ? 'it was' : 'they were'} before this turn?`;
    const detail = `${changed > 0 ? `${changed} of them changed after the turn.\n\n` : ''}${lines.join('\n')}`;
    if (!(await confirm(message, detail))) return 0;
    const edit = new vscode.WorkspaceEdit();
    for (const p of plan) {
      const uri = vscode.Uri.parse(p.path);
      const exists = texts.get(p.path) !== null;
      if (p.before === null) {
        if (exists) edit.deleteFile(uri, { ignoreIfNotExists: true });
      } else if (exists) {
        const document = await vscode.workspace.openTextDocument(uri);
        edit.replace(uri, new vscode.Range(document.positionAt(0), document.positionAt(document.getText().length)), p.before);
      } else edit.createFile(uri, { contents: new TextEncoder().encode(p.before) });
    }
    if (!(await vscode.workspace.applyEdit(edit))) throw new Error('VS Code did not apply the restore (is a file read-only?)');
    for (const p of plan) {
      const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === p.path);
      if (document?.isDirty) await document.save();
    }
    this.transcript.notice('info', `Restored ${plan.length} file${plan.length === 1 ? '' : 's'} from the checkpoint: ${names.join(', ')}.`);
    return plan.length;
  }

  private markTurn(turnId: string): void {
    const item = this.transcript.model.get(turnId);
    if (item?.kind === 'user' && !item.checkpoint) this.transcript.apply({ op: 'replace', item: { ...item, checkpoint: true } });
  }

  private async persist(checkpoint: TurnRef & { created: number; files: CheckpointFile[] }): Promise<void> {
    const previous = this.index().find((e) => e.turnId === checkpoint.turnId);
    const repo = await this.saveInGit(checkpoint);
    if (!repo) await vscode.workspace.fs.writeFile(this.fileOf(checkpoint.turnId), new TextEncoder().encode(JSON.stringify(checkpoint)));
    // A turn whose files no longer fit one repository (or now do) moves; the old copy goes.
    if (previous && previous.repo !== repo) this.drop(previous);
    const others = this.index().filter((e) => e.turnId !== checkpoint.turnId);
    const entry: Entry = { sessionId: checkpoint.sessionId, turnId: checkpoint.turnId, created: checkpoint.created, paths: checkpoint.files.map((f) => f.path), ...(repo ? { repo } : {}) };
    const { keep, drop } = prune([...others, entry], this.now());
    await this.memento.update(INDEX_KEY, keep);
    for (const old of drop) this.drop(old);
  }

  /** The repository the snapshot went to, or undefined when the files are not all in one (or git failed). */
  private async saveInGit(checkpoint: TurnRef & { created: number; files: CheckpointFile[] }): Promise<string | undefined> {
    const uris = checkpoint.files.map((f) => vscode.Uri.parse(f.path));
    if (!uris.every((u) => u.scheme === 'file')) return undefined;
    const repo = await this.git.repoOf(uris.map((u) => u.fsPath));
    if (!repo) return undefined;
    try {
      await this.git.save(repo, checkpoint);
      return repo;
    } catch (err) {
      this.log.warn(`checkpoint in git failed, kept in the extension storage instead: ${(err as Error).message}`);
      return undefined;
    }
  }

  private drop(entry: Entry): void {
    if (entry.repo) runInBackground('deleting an old checkpoint ref', this.git.drop(entry.repo, entry.turnId), this.log);
    else runInBackground('deleting an old checkpoint', vscode.workspace.fs.delete(this.fileOf(entry.turnId)), this.log);
  }

  private async load(turnId: string): Promise<(TurnRef & { files: CheckpointFile[] }) | undefined> {
    const entry = this.index().find((e) => e.turnId === turnId);
    if (!entry) return undefined;
    if (entry.repo) return this.git.load(entry.repo, turnId);
    try {
      const parsed = Saved.safeParse(JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(this.fileOf(turnId)))));
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }

  private index(): Entry[] {
    const parsed = z.array(Entry).safeParse(this.memento.get<unknown>(INDEX_KEY));
    return parsed.success ? parsed.data : [];
  }

  private fileOf(turnId: string): vscode.Uri {
    return vscode.Uri.joinPath(this.storage, 'checkpoints', `${turnId.replace(/[^\w-]/g, '_')}.json`);
  }
}

/** The file's text as the user has it (an unsaved editor's included); null when it does not exist. */
async function readText(uri: vscode.Uri): Promise<string | null> {
  // A document can outlive its file (deleted on disk while open): the disk decides whether it exists.
  const exists = await vscode.workspace.fs.stat(uri).then(
    () => true,
    () => false,
  );
  if (!exists) return null;
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (open) return open.getText();
  try {
    return new TextDecoder('utf-8').decode(await vscode.workspace.fs.readFile(uri));
  } catch {
    return null;
  }
}
