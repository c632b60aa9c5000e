/**
 * The text side of `edit_file`: exact old text → new text replacements, all found in the original text
 * first and then applied together, so one call's edits cannot see each other's output. Each old text must
 * occur exactly once; overlapping edits are refused. A CRLF file keeps CRLF (the model writes `\n`), and
 * since only the matched spans change, a trailing newline (or its absence) is kept. Errors say what to do.
 */

export interface TextEdit {
  oldText: string;
  newText: string;
}

/** One applied replacement, in lines of the original and of the result (1-based). */
export interface AppliedEdit {
  line: number;
  removedLines: number;
  addedLines: number;
}

export type EditResult = { ok: true; text: string; applied: AppliedEdit[] } | { ok: false; error: string };

interface Span {
  index: number;
  start: number;
  end: number;
  replacement: string;
}

export function applyTextEdits(original: string, edits: readonly TextEdit[]): EditResult {
  if (edits.length === 0) return { ok: false, error: 'no edits were given' };
  const crlf = original.includes('\r\n');
  const eol = (s: string) => (crlf ? s.replace(/\r?\n/g, '\r\n') : s);
  if (edits.length === 1 && edits[0].oldText === '') {
    if (original !== '') return { ok: false, error: 'old_text is empty but the file is not: give the exact text to replace' };
    return { ok: true, text: eol(edits[0].newText), applied: [{ line: 1, removedLines: 0, addedLines: lineCount(edits[0].newText) }] };
  }
  const spans: Span[] = [];
  for (const [index, edit] of edits.entries()) {
    const label = edits.length > 1 ? `edit ${index + 1}: ` : '';
    if (edit.oldText === '') return { ok: false, error: `${label}old_text is empty; only a single edit of an empty file may have an empty old_text` };
    const needle = eol(edit.oldText);
    const first = original.indexOf(needle);
    if (first === -1) return { ok: false, error: `${label}old_text was not found in the file${hint(original, edit.oldText)}. Read the file again and copy the text exactly, including indentation` };
    const second = original.indexOf(needle, first + 1);
    if (second !== -1) {
      const lines = occurrences(original, needle).map((at) => lineAt(original, at));
      return { ok: false, error: `${label}old_text occurs ${lines.length} times (lines ${lines.slice(0, 10).join(', ')}); include more surrounding lines so that it is unique` };
    }
    spans.push({ index, start: first, end: first + needle.length, replacement: eol(edit.newText) });
  }
  spans.sort((a, b) => a.start - b.start);
  for (let i = 1; i < spans.length; i++) {
    if (spans[i].start < spans[i - 1].end) {
      return { ok: false, error: `edits ${spans[i - 1].index + 1} and ${spans[i].index + 1} overlap; merge them into one edit` };
    }
  }
  let text = '';
  let at = 0;
  let shift = 0;
  const applied: AppliedEdit[] = [];
  for (const span of spans) {
    text += original.slice(at, span.start) + span.replacement;
    at = span.end;
    const line = lineAt(original, span.start) + shift;
    const removedLines = lineCount(original.slice(span.start, span.end));
    const addedLines = lineCount(span.replacement);
    applied.push({ line, removedLines, addedLines });
    shift += addedLines - removedLines;
  }
  return { ok: true, text: text + original.slice(at), applied };
}

/** Says where the first line of a missing old text does occur, the usual cause being a wrong context line. */
function hint(original: string, oldText: string): string {
  const first = oldText.split(/\r?\n/).find((l) => l.trim() !== '');
  if (!first || first.trim() === oldText.trim()) return '';
  const at = original.indexOf(first);
  return at === -1 ? '' : ` (its first line occurs at line ${lineAt(original, at)}, but the lines after it differ)`;
}

function occurrences(text: string, needle: string): number[] {
  const found: number[] = [];
  for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + 1)) found.push(at);
  return found;
}

/** The 1-based line of a character offset. */
function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let at = text.indexOf('\n'); at !== -1 && at < offset; at = text.indexOf('\n', at + 1)) line++;
  return line;
}

/** Lines a piece of text spans: "a\nb" and "a\nb\n" are both two lines; "" is none. */
function lineCount(text: string): number {
  if (text === '') return 0;
  const breaks = text.split('\n').length - 1;
  return text.endsWith('\n') ? breaks : breaks + 1;
}

/** The model-facing sentence for what an edit call changed. */
export function describeEdits(path: string, applied: readonly AppliedEdit[]): string {
  const parts = applied.map((a) => `at line ${a.line}, ${a.removedLines} line${a.removedLines === 1 ? '' : 's'} replaced by ${a.addedLines}`);
  return `Edited ${path} (${applied.length} edit${applied.length === 1 ? '' : 's'}; ${parts.join('; ')}).`;
}
