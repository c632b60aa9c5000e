import assert from 'node:assert/strict';
import { computeDiff, reviewOf } from '../../src/extension/reviewDiff';
import { outcomeLabel, renderReview } from '../../src/webview/diffReview';
import type { ItemOf, WebviewMessage } from '../../src/webview/protocol';
import { domWindow } from '../helpers/dom';

const options: ItemOf<'permission'>['options'] = [
  { optionId: 'allow_once', name: 'Allow', kind: 'allow_once' },
  { optionId: 'allow_always', name: 'Always allow file edits in this session', kind: 'allow_always' },
  { optionId: 'reject_once', name: 'Reject', kind: 'reject_once' },
  { optionId: 'reject_always', name: 'Always reject file edits in this session', kind: 'reject_always' },
];
const old = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`).join('\n') + '\n';
const review = reviewOf('src/a.ts', false, computeDiff(old, old.replace('line 2\n', 'two\n').replace('line 19\n', 'nineteen <b>\n')), false);
const item = (outcome: string | null, r = review): ItemOf<'permission'> => ({ kind: 'permission', id: 'p1', title: 'Edit src/a.ts', detail: '', options, outcome, review: r });

describe('review card', () => {
  it('shows the path, counts, coloured numbered lines as text, and per-hunk and per-file choices', () => {
    const { document } = domWindow();
    const posted: WebviewMessage[] = [];
    const card = renderReview(document, item(null), review, (m) => posted.push(m));
    assert.equal(card.querySelector('.review-title')?.textContent, 'Edit src/a.ts');
    assert.equal(card.querySelector('.review-path'), null, 'the title names the path already');
    assert.equal(card.querySelector('.review-counts')?.textContent, '+2−2');
    assert.equal(card.querySelectorAll('.review-hunk').length, 2);
    const added = [...card.querySelectorAll('.line-add')].map((r) => [...r.children].map((c) => c.textContent));
    assert.deepEqual(added, [['', '2', '+', 'two'], ['', '19', '+', 'nineteen <b>']]);
    assert.equal(card.querySelectorAll('b').length, 0, 'agent text is never HTML');
    const buttons = (root: Element) => [...root.querySelectorAll('button')].map((b) => b.textContent);
    assert.deepEqual(buttons(card.querySelectorAll('.review-hunk')[1]), ['Accept', 'Reject']);
    assert.deepEqual(buttons(card.querySelector('.permission-actions')!), ['Accept all', 'Reject all', 'Always allow file edits in this session', 'Always reject file edits in this session']);
    (card.querySelectorAll('.review-hunk')[1].querySelectorAll('button')[1] as HTMLButtonElement).click();
    (card.querySelector('.review-open') as HTMLButtonElement).click();
    (card.querySelector('.permission-actions button') as HTMLButtonElement).click();
    assert.deepEqual(posted, [
      { type: 'review', id: 'p1', action: 'reject', hunk: 1 },
      { type: 'review', id: 'p1', action: 'openDiff' },
      { type: 'review', id: 'p1', action: 'accept' },
    ]);
    assert.ok((card.querySelector('.permission-actions button') as HTMLButtonElement).disabled, 'one click is enough');
  });

  it('once decided the buttons go (but Open diff) and a label says what was chosen', () => {
    const { document } = domWindow();
    const partly = { ...review, hunks: [{ ...review.hunks[0], state: 'accepted' as const }, { ...review.hunks[1], state: 'rejected' as const }] };
    const card = renderReview(document, item('allow_once', partly), partly, () => undefined);
    assert.deepEqual([...card.querySelectorAll('button')].map((b) => b.textContent), ['Open diff']);
    assert.equal(card.querySelector('.review-outcome')?.textContent, 'Accepted 1 of 2 changes');
    assert.deepEqual([...card.querySelectorAll('.hunk-state')].map((s) => s.textContent), ['Accepted', 'Rejected']);
    assert.equal(outcomeLabel(item('reject_once'), review).text, 'Rejected');
    assert.equal(outcomeLabel(item('allow_once'), { ...review, edited: true }).text, 'Accepted with your edits');
    assert.equal(outcomeLabel(item('cancelled'), review).text, 'No longer needed (cancelled).');
  });
});
