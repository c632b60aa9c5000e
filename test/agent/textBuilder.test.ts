import assert from 'node:assert/strict';
import { TextBuilder } from '../../src/agent/textBuilder';

describe('TextBuilder (a streamed answer)', () => {
  it('gives back exactly the pieces in order, across block boundaries and after reading it midway', () => {
    const b = new TextBuilder();
    assert.equal(b.isEmpty, true);
    assert.equal(b.toString(), '');
    const pieces = Array.from({ length: 3000 }, (_, i) => `${i}:${'x'.repeat(i % 50)}|🐍`);
    pieces.slice(0, 1000).forEach((p) => b.push(p));
    assert.equal(b.toString(), pieces.slice(0, 1000).join(''));
    b.push('');
    pieces.slice(1000).forEach((p) => b.push(p));
    b.push('y'.repeat(40_000)); // a piece larger than a block
    assert.equal(b.isEmpty, false);
    assert.equal(b.toString(), pieces.join('') + 'y'.repeat(40_000));
  });
});
