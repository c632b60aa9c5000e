/**
 * The diff of a proposed write, computed with the `diff` library: hunks to show on the review card (with
 * line numbers, a bounded number of lines) and the text that results from accepting some hunks and
 * rejecting others. Merging works on the library's change objects, so line ends (CRLF) and a missing final
 * newline come through exactly. Plain code, no vscode.
 */
import { diffLines, type ChangeObject } from 'diff';
import type { DiffLine, Review, ReviewHunk, ReviewState } from '../webview/protocol';

/** Context lines around a change; changes closer than twice this share a hunk. */
const CONTEXT = 3;
/** Most diff lines sent to the card in all (the diff editor shows the rest). */
const MAX_SHOWN = 400;
/** A diff that takes longer than this is shown as one whole-file change. */
const DIFF_TIMEOUT_MS = 1500;

export interface ReviewDiff {
  hunks: ReviewHunk[];
  added: number;
  removed: number;
  /** The library's changes; `hunk` says which hunk a changed part belongs to. */
  parts: { change: ChangeObject<string>; hunk: number }[];
}

export function computeDiff(oldText: string, newText: string): ReviewDiff {
  const changes = diffLines(oldText, newText, { timeout: DIFF_TIMEOUT_MS }) ?? wholeFile(oldText, newText);
  const parts: ReviewDiff['parts'] = [];
  const hunks: ReviewHunk[] = [];
  let added = 0;
  let removed = 0;
  let oldLine = 1;
  let newLine = 1;
  let shown = 0;
  let current: ReviewHunk | undefined;
  const push = (line: DiffLine) => {
    if (!current) return;
    if (shown < MAX_SHOWN) {
      current.lines.push(line);
      shown++;
    } else current.hidden++;
  };
  for (const [i, change] of changes.entries()) {
    const lines = splitLines(change.value);
    if (!change.added && !change.removed) {
      const isLast = i === changes.length - 1;
      const gapClosesHunk = isLast || lines.length > 2 * CONTEXT;
      // The end of the open hunk: its trailing context, or the whole gap when the next change is near.
      const tail = current ? (gapClosesHunk ? lines.slice(0, CONTEXT) : lines) : [];
      tail.forEach((text, k) => push([' ', oldLine + k, newLine + k, text]));
      if (gapClosesHunk) current = undefined;
      if (!current && !isLast) {
        // The next hunk's leading context.
        const lead = Math.min(CONTEXT, lines.length);
        current = { state: 'pending', lines: [], hidden: 0 };
        hunks.push(current);
        for (let k = lines.length - lead; k < lines.length; k++) push([' ', oldLine + k, newLine + k, lines[k]]);
      }
      oldLine += lines.length;
      newLine += lines.length;
      parts.push({ change, hunk: -1 });
      continue;
    }
    if (!current) {
      current = { state: 'pending', lines: [], hidden: 0 };
      hunks.push(current);
    }
    for (const text of lines) {
      if (change.added) push(['+', 0, newLine++, text]);
      else push(['-', oldLine++, 0, text]);
    }
    if (change.added) added += lines.length;
    else removed += lines.length;
    parts.push({ change, hunk: hunks.length - 1 });
  }
  return { hunks, added, removed, parts };
}

/** The text after applying the accepted hunks (pending ones count as `pendingAs`). */
export function mergeHunks(diff: ReviewDiff, states: readonly ReviewState[], pendingAs: 'accepted' | 'rejected'): string {
  let text = '';
  for (const { change, hunk } of diff.parts) {
    const state = hunk === -1 ? undefined : states[hunk] === 'pending' ? pendingAs : states[hunk];
    if (state === undefined || (change.added && state === 'accepted') || (change.removed && state === 'rejected')) text += change.value;
  }
  return text;
}

export function reviewOf(path: string, newFile: boolean, diff: ReviewDiff, edited: boolean): Review {
  return { path, newFile, added: diff.added, removed: diff.removed, edited, hunks: diff.hunks };
}

function wholeFile(oldText: string, newText: string): ChangeObject<string>[] {
  const changes: ChangeObject<string>[] = [];
  if (oldText) changes.push({ value: oldText, removed: true, added: false, count: 0 });
  if (newText) changes.push({ value: newText, added: true, removed: false, count: 0 });
  return changes;
}

/** Lines of a change's value, without their line ends ("a\r\nb\n" → a, b; "" → none). */
function splitLines(value: string): string[] {
  if (value === '') return [];
  const lines = value.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  if (value.endsWith('\n')) lines.pop();
  return lines;
}
