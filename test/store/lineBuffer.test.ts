import assert from 'node:assert/strict';
import { LineBuffer } from '../../src/store/lineBuffer';

describe('store line buffer', () => {
  it('holds lines as UTF-8 in order across blocks, a line longer than a block included', () => {
    const buffer = new LineBuffer();
    const lines = ['{"a":"é🐍"}', ...Array.from({ length: 3000 }, (_, i) => `{"n":${i}}`), 'x'.repeat(300_000), '{"last":"ü"}'];
    for (const line of lines) buffer.push(line);
    assert.equal(buffer.lines, lines.length);
    assert.equal(buffer.take().toString('utf8'), lines.map((l) => `${l}\n`).join(''));
    assert.ok(buffer.isEmpty);
    assert.equal(buffer.take().length, 0);
  });

  it('puts back a batch that could not be written in front of the lines appended since', () => {
    const buffer = new LineBuffer();
    buffer.push('one');
    buffer.push('two');
    const batch = buffer.take();
    buffer.push('three');
    buffer.restore(batch, 2);
    assert.equal(buffer.lines, 3);
    assert.equal(buffer.take().toString(), 'one\ntwo\nthree\n');
  });

  it('drops everything on clear', () => {
    const buffer = new LineBuffer();
    buffer.push('gone');
    buffer.clear();
    buffer.push('kept');
    assert.equal(buffer.take().toString(), 'kept\n');
  });
});
