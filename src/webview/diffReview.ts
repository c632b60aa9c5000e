/**
 * The permission card of a proposed file change: a coloured unified diff with line numbers, +/- counts,
 * Accept / Reject for the file and for each hunk, and "Open diff" (VS Code's diff editor, where the proposal
 * can be edited). Once decided the buttons go and a plain label says what was chosen. All text is set as
 * text, never HTML. The diff itself is computed on the host; this only draws it.
 */
import { el, icon, type Post } from './items';
import type { ItemOf, Review, ReviewHunk } from './protocol';

export function renderReview(document: Document, item: ItemOf<'permission'>, review: Review, post: Post): HTMLElement {
  const waiting = item.outcome === null;
  const root = el(document, 'div', `item permission review${waiting ? ' waiting' : ''}`);
  const header = el(document, 'div', 'permission-header');
  const counts = el(document, 'span', 'review-counts');
  counts.append(el(document, 'span', 'review-added', `+${review.added}`), el(document, 'span', 'review-removed', `−${review.removed}`));
  header.append(icon(document, review.newFile ? 'new-file' : 'edit'), el(document, 'span', 'permission-title review-title', item.title), counts);
  const open = button(document, 'secondary review-open', 'Open diff', () => post({ type: 'review', id: item.id, action: 'openDiff' }));
  open.title = waiting ? 'Open in the diff editor; you can edit the proposal there before accepting' : 'Open in the diff editor';
  open.prepend(icon(document, 'diff'));
  header.append(open);
  root.append(header);
  if (!item.title.includes(review.path)) root.append(el(document, 'div', 'review-path muted', review.path));
  if (review.edited) root.append(el(document, 'div', 'review-note muted', 'You edited this proposal; accepting writes your version.'));
  const several = review.hunks.length > 1;
  const body = el(document, 'div', 'review-diff');
  review.hunks.forEach((hunk, index) => body.append(renderHunk(document, item.id, hunk, index, several && waiting, post)));
  if (review.hunks.length === 0) body.append(el(document, 'div', 'muted', 'No change to the text.'));
  root.append(body);
  if (waiting) {
    const actions = el(document, 'div', 'permission-actions');
    const accept = button(document, 'primary', several ? 'Accept all' : 'Accept', () => post({ type: 'review', id: item.id, action: 'accept' }));
    const reject = button(document, 'secondary', several ? 'Reject all' : 'Reject', () => post({ type: 'review', id: item.id, action: 'reject' }));
    // The option each stands for (tests click options by id).
    for (const [b, kind] of [[accept, 'allow_once'], [reject, 'reject_once']] as const) {
      const option = item.options.find((o) => o.kind === kind);
      if (option) b.dataset.optionId = option.optionId;
    }
    actions.append(accept, reject);
    for (const option of item.options.filter((o) => o.kind === 'allow_always' || o.kind === 'reject_always')) {
      const always = button(document, 'link-button', option.name, () => post({ type: 'permission', id: item.id, optionId: option.optionId }));
      always.dataset.optionId = option.optionId;
      actions.append(always);
    }
    // One click is enough: the card is replaced when the host has the answer.
    actions.addEventListener('click', (event) => {
      if ((event.target as HTMLElement).closest('button')) for (const b of Array.from(root.querySelectorAll('button:not(.review-open)'))) (b as HTMLButtonElement).disabled = true;
    });
    root.append(actions);
  } else {
    const label = outcomeLabel(item, review);
    root.append(el(document, 'div', `review-outcome review-${label.tone}`, label.text));
  }
  return root;
}

function renderHunk(document: Document, id: string, hunk: ReviewHunk, index: number, choosable: boolean, post: Post): HTMLElement {
  const root = el(document, 'div', `review-hunk hunk-${hunk.state}`);
  const first = hunk.lines.find((l) => l[0] !== '-') ?? hunk.lines[0];
  const head = el(document, 'div', 'hunk-head');
  head.append(el(document, 'span', 'hunk-where', first ? `Line ${first[2] || first[1]}` : 'Change'));
  if (choosable && hunk.state === 'pending') {
    head.append(
      button(document, 'link-button', 'Accept', () => post({ type: 'review', id, action: 'accept', hunk: index })),
      button(document, 'link-button', 'Reject', () => post({ type: 'review', id, action: 'reject', hunk: index })),
    );
  } else if (hunk.state !== 'pending') head.append(el(document, 'span', `hunk-state review-${hunk.state}`, hunk.state === 'accepted' ? 'Accepted' : 'Rejected'));
  const table = el(document, 'div', 'hunk-lines');
  for (const [sign, oldLine, newLine, text] of hunk.lines) {
    const row = el(document, 'div', `diff-line ${sign === '+' ? 'line-add' : sign === '-' ? 'line-del' : 'line-ctx'}`);
    row.append(el(document, 'span', 'line-no', oldLine ? String(oldLine) : ''), el(document, 'span', 'line-no', newLine ? String(newLine) : ''), el(document, 'span', 'line-sign', sign), el(document, 'span', 'line-text', text));
    table.append(row);
  }
  if (hunk.hidden > 0) table.append(el(document, 'div', 'diff-more muted', `… ${hunk.hidden} more lines (Open diff shows all)`));
  root.append(head, table);
  return root;
}

/** What the card says once decided. */
export function outcomeLabel(item: ItemOf<'permission'>, review: Review): { text: string; tone: 'accepted' | 'rejected' | 'cancelled' } {
  const chosen = item.options.find((o) => o.optionId === item.outcome);
  if (!chosen) return { text: 'No longer needed (cancelled).', tone: 'cancelled' };
  if (chosen.kind === 'reject_once' || chosen.kind === 'reject_always') return { text: chosen.kind === 'reject_always' ? 'Rejected (and all edits in this session)' : 'Rejected', tone: 'rejected' };
  const accepted = review.hunks.filter((h) => h.state === 'accepted').length;
  if (review.edited) return { text: 'Accepted with your edits', tone: 'accepted' };
  if (accepted < review.hunks.length && review.hunks.length > 1) return { text: `Accepted ${accepted} of ${review.hunks.length} changes`, tone: 'accepted' };
  return { text: chosen.kind === 'allow_always' ? 'Accepted (and all edits in this session)' : 'Accepted', tone: 'accepted' };
}

function button(document: Document, className: string, text: string, onClick: () => void): HTMLButtonElement {
  const b = el(document, 'button', className, text);
  b.addEventListener('click', onClick);
  return b;
}
