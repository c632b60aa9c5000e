/**
 * In-memory documents (`punie-proposal:`) for the diff editor of a review: the text before (read-only) and
 * the proposed text, which the user may edit before accepting. A file system provider rather than a
 * read-only content provider, so that the proposal side is an ordinary editable (and savable) document.
 */
import * as vscode from 'vscode';

export const PROPOSAL_SCHEME = 'punie-proposal';

interface Entry {
  data: Uint8Array;
  mtime: number;
  readonly: boolean;
}

export class ProposalDocuments implements vscode.FileSystemProvider, vscode.Disposable {
  private readonly files = new Map<string, Entry>();
  private readonly changeEmitter = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.changeEmitter.event;
  private readonly registration: vscode.Disposable;

  constructor() {
    this.registration = vscode.workspace.registerFileSystemProvider(PROPOSAL_SCHEME, this, { isCaseSensitive: true });
  }

  /** The URI of one side of a review's diff; its name keeps the file's extension for the language mode. */
  uri(reviewId: string, side: 'before' | 'proposed', fileName: string): vscode.Uri {
    return vscode.Uri.from({ scheme: PROPOSAL_SCHEME, path: `/${reviewId}/${side}/${fileName}` });
  }

  set(uri: vscode.Uri, text: string, readonly: boolean): void {
    this.files.set(uri.path, { data: new TextEncoder().encode(text), mtime: Date.now(), readonly });
    this.changeEmitter.fire([{ type: vscode.FileChangeType.Changed, uri }]);
  }

  /** The current text: the open editor's (even unsaved), else what was last set or saved. */
  text(uri: vscode.Uri): string | undefined {
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (open) return open.getText();
    const entry = this.files.get(uri.path);
    return entry && new TextDecoder().decode(entry.data);
  }

  forget(reviewId: string): void {
    for (const key of [...this.files.keys()]) if (key.startsWith(`/${reviewId}/`)) this.files.delete(key);
  }

  stat(uri: vscode.Uri): vscode.FileStat {
    const entry = this.entry(uri);
    return { type: vscode.FileType.File, ctime: entry.mtime, mtime: entry.mtime, size: entry.data.length, permissions: entry.readonly ? vscode.FilePermission.Readonly : undefined };
  }

  readFile(uri: vscode.Uri): Uint8Array {
    return this.entry(uri).data;
  }

  writeFile(uri: vscode.Uri, content: Uint8Array): void {
    const entry = this.entry(uri);
    if (entry.readonly) throw vscode.FileSystemError.NoPermissions(uri);
    this.files.set(uri.path, { data: content, mtime: Date.now(), readonly: false });
  }

  watch(): vscode.Disposable {
    return new vscode.Disposable(() => undefined);
  }

  readDirectory(): [string, vscode.FileType][] {
    return [];
  }

  createDirectory(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  delete(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  rename(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  dispose(): void {
    this.registration.dispose();
    this.changeEmitter.dispose();
    this.files.clear();
  }

  private entry(uri: vscode.Uri): Entry {
    const entry = this.files.get(uri.path);
    if (!entry) throw vscode.FileSystemError.FileNotFound(uri);
    return entry;
  }
}
