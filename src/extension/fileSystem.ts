/**
 * `fs/read_text_file` and `fs/write_text_file`, done the VS Code way: a read sees unsaved editor changes,
 * a write is an undoable WorkspaceEdit that is saved and shown. Only files inside the workspace folders
 * are reachable; anything else is refused with the reason.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ReadTextFileRequest, WriteTextFileRequest } from '../protocol/acp';
import { ErrorCodes, RpcError } from '../protocol/jsonrpc';
import { sliceLines } from './textLines';

export class WorkspaceFiles {
  /** `onWritten` sees each landed write in its editor, with the text before it (null: a new file). */
  constructor(private readonly onWritten?: (editor: vscode.TextEditor, oldText: string | null) => void) {}

  async read(request: ReadTextFileRequest): Promise<{ content: string }> {
    const uri = this.resolve(request.path, 'read');
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    let text: string;
    if (open?.isDirty) text = open.getText();
    else {
      try {
        text = new TextDecoder('utf-8').decode(await vscode.workspace.fs.readFile(uri));
      } catch (err) {
        throw new RpcError(ErrorCodes.ResourceNotFound, `cannot read ${request.path}: ${(err as Error).message}`);
      }
    }
    return { content: sliceLines(text, request.line ?? undefined, request.limit ?? undefined) };
  }

  async write(request: WriteTextFileRequest): Promise<null> {
    const uri = this.resolve(request.path, 'write');
    const edit = new vscode.WorkspaceEdit();
    const exists = await vscode.workspace.fs.stat(uri).then(
      () => true,
      () => false,
    );
    let oldText: string | null = null;
    if (exists) {
      const document = await vscode.workspace.openTextDocument(uri);
      oldText = document.getText();
      const all = new vscode.Range(document.positionAt(0), document.positionAt(document.getText().length));
      edit.replace(uri, all, request.content);
    } else {
      // Created with its content on disk (Undo deletes it again); parent folders are created as needed.
      edit.createFile(uri, { overwrite: false, contents: new TextEncoder().encode(request.content) });
    }
    if (!(await vscode.workspace.applyEdit(edit))) {
      throw new RpcError(ErrorCodes.InternalError, `VS Code did not apply the edit to ${request.path} (is the file read-only?)`);
    }
    const document = await vscode.workspace.openTextDocument(uri);
    // Saved so that commands the agent runs next see the new content; Undo in the editor still reverts it.
    if (document.isDirty) await save(document);
    const editor = await vscode.window.showTextDocument(document, { preview: true, preserveFocus: true });
    this.onWritten?.(editor, oldText);
    return null;
  }

  /** The URI of an absolute path inside a workspace folder. */
  resolve(filePath: string, action: 'read' | 'write'): vscode.Uri {
    if (!path.isAbsolute(filePath)) {
      throw new RpcError(ErrorCodes.InvalidParams, `cannot ${action} "${filePath}": the path must be absolute`);
    }
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const relative = path.relative(folder.uri.fsPath, filePath);
      const outside = relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative);
      if (!outside) {
        return relative === '' ? folder.uri : vscode.Uri.joinPath(folder.uri, ...relative.split(path.sep));
      }
    }
    throw new RpcError(ErrorCodes.InvalidParams, `cannot ${action} ${filePath}: it is outside the workspace folders, which is all Punie may ${action}`);
  }
}

/**
 * Saves the document. A document opened right after its file was created can refuse to save as "changed on
 * disk" (its stamp is older than the file's, seen when the agent edits a file it has just created); its text
 * is then written to the file directly, so the file has what was accepted (the editor may still show the
 * document as modified, with the same text).
 */
async function save(document: vscode.TextDocument): Promise<void> {
  if (!(await document.save())) await vscode.workspace.fs.writeFile(document.uri, new TextEncoder().encode(document.getText()));
}
