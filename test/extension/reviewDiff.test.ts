import assert from 'node:assert/strict';
import { MAX_AGE_MS, MAX_PER_SESSION, prune, restorePlan, type CheckpointEntry } from '../../src/extension/checkpointIndex';
import { computeDiff, mergeHunks } from '../../src/extension/reviewDiff';

const numbered = (n: number, change: Record<number, string> = {}) =>
  Array.from({ length: n }, (_, i) => change[i + 1] ?? `line ${i + 1}`).join('\n') + '\n';

describe('review diff', () => {
  it('shows hunks with line numbers and context, and counts added and removed lines', () => {
    const diff = computeDiff(numbered(20), numbered(20, { 2: 'TWO', 18: 'EIGHTEEN' }));
    assert.equal(diff.hunks.length, 2, 'changes 16 lines apart are two hunks');
    assert.deepEqual([diff.added, diff.removed], [2, 2]);
    assert.deepEqual(diff.hunks[0].lines, [
      [' ', 1, 1, 'line 1'],
      ['-', 2, 0, 'line 2'],
      ['+', 0, 2, 'TWO'],
      [' ', 3, 3, 'line 3'],
      [' ', 4, 4, 'line 4'],
      [' ', 5, 5, 'line 5'],
    ]);
    assert.deepEqual(diff.hunks[1].lines[0], [' ', 15, 15, 'line 15']);
    assert.deepEqual(diff.hunks[1].lines.at(-1), [' ', 20, 20, 'line 20']);
    const near = computeDiff(numbered(20), numbered(20, { 2: 'TWO', 7: 'SEVEN' }));
    assert.equal(near.hunks.length, 1, 'changes within twice the context share a hunk');
  });

  it('merges accepted hunks only, keeping CRLF and a missing final newline exactly', () => {
    const old = 'a\r\nb\r\nc\r\nd\r\ne\r\nf\r\ng\r\nh\r\ni\r\nj';
    const proposed = 'A\r\nb\r\nc\r\nd\r\ne\r\nf\r\ng\r\nh\r\ni\r\nJ';
    const diff = computeDiff(old, proposed);
    assert.equal(diff.hunks.length, 2);
    assert.equal(mergeHunks(diff, ['accepted', 'rejected'], 'rejected'), old.replace('a', 'A'));
    assert.equal(mergeHunks(diff, ['rejected', 'pending'], 'accepted'), old.replace(/j$/, 'J'));
    assert.equal(mergeHunks(diff, ['accepted', 'accepted'], 'rejected'), proposed);
    assert.equal(mergeHunks(diff, ['rejected', 'rejected'], 'rejected'), old);
  });

  it('a new file is one hunk of added lines; a huge change shows a bounded part', () => {
    const created = computeDiff('', 'x\ny\n');
    assert.deepEqual(created.hunks.map((h) => h.lines), [[['+', 0, 1, 'x'], ['+', 0, 2, 'y']]]);
    const big = computeDiff('', numbered(5000));
    assert.equal(big.hunks[0].lines.length, 400);
    assert.equal(big.hunks[0].hidden, 4600);
    assert.equal(mergeHunks(big, ['accepted'], 'rejected'), numbered(5000));
  });
});

describe('checkpoint bounds', () => {
  const entry = (sessionId: string, created: number): CheckpointEntry => ({ sessionId, turnId: `${sessionId}-${created}`, created, paths: [] });

  it('keeps the latest 100 per session and nothing older than 30 days', () => {
    const now = 100 * MAX_AGE_MS;
    const many = Array.from({ length: MAX_PER_SESSION + 5 }, (_, i) => entry('s1', now - i));
    const { keep, drop } = prune([...many, entry('s2', now - MAX_AGE_MS - 1), entry('s2', now - 10)], now);
    assert.equal(keep.filter((e) => e.sessionId === 's1').length, MAX_PER_SESSION);
    assert.deepEqual(drop.map((e) => e.turnId).sort(), ['s1-' + (now - 100), 's1-' + (now - 101), 's1-' + (now - 102), 's1-' + (now - 103), 's1-' + (now - 104), 's2-' + (now - MAX_AGE_MS - 1)].sort());
    assert.ok(keep.some((e) => e.turnId === `s2-${now - 10}`));
    assert.ok(keep[0].created <= keep.at(-1)!.created, 'kept in creation order');
  });

  it('a restore plan says which files changed since the turn', () => {
    const plan = restorePlan(
      [
        { path: 'a', before: 'old a', after: 'new a' },
        { path: 'b', before: null, after: 'new b' },
      ],
      (path) => (path === 'a' ? 'new a' : 'new b, edited later'),
    );
    assert.deepEqual(plan, [
      { path: 'a', before: 'old a', changed: false },
      { path: 'b', before: null, changed: true },
    ]);
  });
});
