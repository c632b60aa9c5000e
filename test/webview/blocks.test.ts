import assert from 'node:assert/strict';
import { Lexer } from 'marked';
import { BlockSplitter } from '../../src/webview/blocks';

const DOC = [
  '# Title',
  '',
  'A paragraph that goes',
  'over two lines with `code` and **bold**.',
  '',
  '- one',
  '- two',
  '',
  '  still item two',
  '',
  '1. first',
  '2. second',
  '',
  '```ts',
  'const x = 1;',
  '',
  'const y = 2;',
  '```',
  '',
  '> a quote',
  '',
  '| a | b |',
  '|---|---|',
  '| 1 | 2 |',
  '',
  'Setext heading',
  '===',
  '',
  'The end.',
  '',
].join('\n');

/** Feeds a growing text the way MarkdownView does: only what is not settled yet. */
function feeder(splitter = new BlockSplitter()) {
  let open = '';
  let seen = 0;
  return (full: string) => {
    open += full.slice(seen);
    seen = full.length;
    const result = splitter.update(open);
    open = open.slice(result.consumed);
    return { settled: result.settled.map((b) => b.markdown), tail: result.tail };
  };
}

function stream(text: string, chunk: number, splitter = new BlockSplitter()) {
  let open = '';
  const settled: string[] = [];
  const continued: boolean[] = [];
  let tail = '';
  let tailContinued = false;
  let maxTail = 0;
  for (let i = 0; i < text.length; i += chunk) {
    open += text.slice(i, i + chunk);
    const result = splitter.update(open);
    open = open.slice(result.consumed);
    settled.push(...result.settled.map((b) => b.markdown));
    continued.push(...result.settled.map((b) => b.continued));
    ({ tail, tailContinued } = result);
    maxTail = Math.max(maxTail, tail.length);
  }
  return { settled, continued, tail, tailContinued, maxTail };
}

describe('BlockSplitter', () => {
  it('settles the same blocks whether the text streams in 1, 7 or 100 character chunks or arrives at once', () => {
    const once = feeder()(DOC);
    const expected = [...once.settled, once.tail.trim()];
    for (const chunk of [1, 7, 100]) {
      const streamed = stream(DOC, chunk);
      assert.deepEqual([...streamed.settled, streamed.tail.trim()], expected, `chunk ${chunk}`);
    }
    assert.equal(expected.length, 9);
  });

  it('never settles the block still being written, and keeps blocks that can still change open', () => {
    const splitter = feeder();
    assert.deepEqual(splitter('- a\n- b\n\n'), { settled: [], tail: '- a\n- b\n\n' });
    // A later item joins the same (loose) list, so the list was right to stay open.
    const next = splitter('- a\n- b\n\n- c\n');
    assert.deepEqual(next.settled, []);
    assert.equal(Lexer.lex(next.tail).filter((t) => t.type === 'list').length, 1);
    assert.deepEqual(splitter('- a\n- b\n\n- c\n\nafter\n').settled, ['- a\n- b\n\n- c']);
  });

  it('keeps an unclosed fence open however much blank space it contains', () => {
    const r = feeder()('text\n\n```py\nx = 1\n\n\n\ny = 2\n');
    assert.deepEqual(r.settled, ['text']);
    assert.equal(r.tail, '```py\nx = 1\n\n\n\ny = 2\n');
  });

  it('bounds the open tail of one huge code block and loses no line of it', () => {
    const lines = Array.from({ length: 4000 }, (_, i) => `line ${i} ${'x'.repeat(20)}`);
    const text = '```js\n' + lines.join('\n') + '\n```\n\nafter\n';
    const { settled, continued, tail, maxTail } = stream(text, 64, new BlockSplitter(4096));
    assert.ok(maxTail < 4096 + 200, `tail grew to ${maxTail}`);
    assert.ok(settled.length > 10);
    assert.deepEqual(continued, settled.map((_, i) => i > 0), 'every piece after the first is marked as continuing the one before');
    const code: string[] = [];
    for (const block of settled) {
      const tokens = Lexer.lex(block).filter((t) => t.type !== 'space');
      assert.equal(tokens.length, 1, `one block per piece: ${block.slice(0, 40)}`);
      assert.equal(tokens[0].type, 'code');
      assert.equal((tokens[0] as { lang?: string }).lang, 'js');
      code.push((tokens[0] as { text: string }).text);
    }
    assert.deepEqual(code.join('\n').split('\n'), lines);
    assert.equal(tail.trim(), 'after');
  });

  it('marks the open tail of a cut code block as continued until the block closes', () => {
    const text = '```py\n' + Array.from({ length: 200 }, (_, i) => `x${i} = ${i}`).join('\n') + '\n';
    const open = stream(text, 10, new BlockSplitter(256));
    assert.ok(open.settled.length > 3);
    assert.equal(open.tailContinued, true);
    const closed = stream(text + '```\n\nafter\n', 10, new BlockSplitter(256));
    assert.equal(closed.tailContinued, false);
    assert.equal(closed.continued.at(-1), true, 'the closing piece continues the block');
    assert.equal(closed.tail.trim(), 'after');
  });

  it('bounds a huge ordered list and keeps its numbering', () => {
    const text = Array.from({ length: 3000 }, (_, i) => `${i + 1}. item number ${i + 1}`).join('\n') + '\n';
    const { settled, tail, maxTail } = stream(text, 50, new BlockSplitter(2048));
    assert.ok(maxTail < 2048 + 200, `tail grew to ${maxTail}`);
    const starts = [...settled, tail].map((b) => Number(/^(\d+)\./.exec(b)![1]));
    assert.equal(starts[0], 1);
    for (let i = 1; i < starts.length; i++) assert.ok(starts[i] > starts[i - 1]);
    const items = [...settled, tail].flatMap((b) => (Lexer.lex(b)[0] as { items: { text: string }[] }).items.map((it) => it.text));
    assert.equal(items.length, 3000);
    assert.equal(items[2999], 'item number 3000');
  });

  it('bounds a huge paragraph by cutting at line ends, never inside a line', () => {
    const lines = Array.from({ length: 2000 }, (_, i) => `sentence ${i} goes on a bit`);
    const { settled, tail, maxTail } = stream(lines.join('\n'), 33, new BlockSplitter(2048));
    assert.ok(maxTail < 2048 + 100, `tail grew to ${maxTail}`);
    assert.deepEqual([...settled, tail].join('').split('\n').filter(Boolean), lines);
  });

  it('leaves a single enormous line in the tail rather than cutting it', () => {
    const r = new BlockSplitter(100).update('y'.repeat(1000));
    assert.deepEqual(r, { settled: [], tail: 'y'.repeat(1000), tailContinued: false, consumed: 0 });
  });
});
