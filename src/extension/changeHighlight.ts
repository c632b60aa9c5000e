/**
 * After the agent's change lands, the editor shows which lines it added or changed (the diff editor's
 * colours, plus a mark in the overview ruler) until the user moves on: types in the file, or switches to
 * another editor.
 */
import { diffLines } from 'diff';
import * as vscode from 'vscode';

const DIFF_TIMEOUT_MS = 1000;

export class ChangeHighlighter implements vscode.Disposable {
  private readonly decoration = vscode.window.createTextEditorDecorationType({
    isWholeLine: true,
    backgroundColor: new vscode.ThemeColor('diffEditor.insertedLineBackground'),
    overviewRulerColor: new vscode.ThemeColor('editorOverviewRuler.addedForeground'),
    overviewRulerLane: vscode.OverviewRulerLane.Left,
  });
  private shown: { editor: vscode.TextEditor; version: number } | undefined;
  private readonly disposables: vscode.Disposable[];

  constructor() {
    this.disposables = [
      this.decoration,
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (this.shown && e.document === this.shown.editor.document && e.document.version !== this.shown.version && e.contentChanges.length > 0) this.clear();
      }),
      vscode.window.onDidChangeActiveTextEditor((editor) => {
        if (this.shown && editor && editor.document !== this.shown.editor.document) this.clear();
      }),
    ];
  }

  /** Marks the lines of `editor` that differ from `oldText` (a new file: all of them). */
  show(editor: vscode.TextEditor, oldText: string | null): vscode.Range[] {
    this.clear();
    const ranges = changedLines(oldText ?? '', editor.document.getText()).map((line) => editor.document.lineAt(Math.min(line, editor.document.lineCount - 1)).range);
    editor.setDecorations(this.decoration, ranges);
    this.shown = { editor, version: editor.document.version };
    if (ranges.length > 0) editor.revealRange(ranges[0], vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    return ranges;
  }

  /** The lines marked now, for tests. */
  get marked(): { uri: string; version: number } | undefined {
    return this.shown && { uri: this.shown.editor.document.uri.toString(), version: this.shown.version };
  }

  clear(): void {
    this.shown?.editor.setDecorations(this.decoration, []);
    this.shown = undefined;
  }

  dispose(): void {
    this.clear();
    for (const d of this.disposables) d.dispose();
  }
}

/** 0-based lines of `newText` that are added or changed relative to `oldText`. */
export function changedLines(oldText: string, newText: string): number[] {
  const changes = diffLines(oldText, newText, { timeout: DIFF_TIMEOUT_MS });
  if (!changes) return [];
  const lines: number[] = [];
  let line = 0;
  for (const change of changes) {
    const count = change.count;
    if (change.added) for (let k = 0; k < count; k++) lines.push(line + k);
    if (!change.removed) line += count;
  }
  return lines;
}
