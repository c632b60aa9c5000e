/** The active editor's selection as context for a question (Ask, and the chat's send). */
import * as vscode from 'vscode';
import type { AskContext } from './chat';

/** The active editor's selection, sent with the question. */
export function selectionContext(): AskContext | undefined {
  const editor = vscode.window.activeTextEditor;
  if (!editor || editor.selection.isEmpty) return undefined;
  const { start, end } = editor.selection;
  const name = vscode.workspace.asRelativePath(editor.document.uri);
  return {
    uri: editor.document.uri.toString(),
    label: `the selection in ${name}:${start.line + 1}-${end.line + 1}`,
    text: editor.document.getText(editor.selection),
    languageId: editor.document.languageId,
  };
}
