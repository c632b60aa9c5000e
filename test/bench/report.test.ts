/** The benchmark report's verdicts: the median of the rounds is judged, never the best round. */
import { strict as assert } from 'node:assert';
import { formatFigure, median, printFigures, verdict, type Figure } from '../../bench/report';

const figure = (rounds: number[], target?: Figure['target']): Figure => ({ name: 'x', rounds, unit: 'ms', target });

describe('bench report', () => {
  it('judges the median, not the best or worst round', () => {
    assert.equal(verdict(figure([10, 300, 320], { op: '<', limit: 200 })), 'MISS');
    assert.equal(verdict(figure([10, 150, 900], { op: '<', limit: 200 })), 'PASS');
    assert.equal(verdict(figure([0.99, 0.94, 0.93], { op: '>=', limit: 0.95 })), 'MISS');
    assert.equal(verdict(figure([0.95, 0.96, 0.5], { op: '>=', limit: 0.95 })), 'PASS');
  });

  it('treats the limit exactly as its operator says', () => {
    assert.equal(verdict(figure([200], { op: '<', limit: 200 })), 'MISS');
    assert.equal(verdict(figure([200], { op: '<=', limit: 200 })), 'PASS');
    assert.equal(verdict(figure([1], { op: '>', limit: 1 })), 'MISS');
  });

  it('misses a target with no rounds, and has no verdict without a target', () => {
    assert.equal(verdict(figure([], { op: '<', limit: 1 })), 'MISS');
    assert.equal(verdict(figure([1, 2])), '—');
  });

  it('takes the mean of the middle two for an even count', () => {
    assert.equal(median([4, 1, 3, 2]), 2.5);
  });

  it('prints min / median / max and every round, and reports a miss', () => {
    const text = formatFigure({ ...figure([3, 1, 2], { op: '<', limit: 1.5 }), digits: 0 });
    assert.match(text, /min 1 ms \/ median 2 ms \/ max 3 ms {3}target < 1.5: MISS/);
    assert.match(text, /rounds: 3, 1, 2/);
    const write = process.stdout.write;
    process.stdout.write = () => true;
    try {
      assert.equal(printFigures([figure([1], { op: '<', limit: 2 }), figure([5])]), true);
      assert.equal(printFigures([figure([1], { op: '<', limit: 2 }), figure([5], { op: '<', limit: 2 })]), false);
    } finally {
      process.stdout.write = write;
    }
  });
});
