import assert from 'node:assert/strict';
import { ThinkTagSplitter } from '../../../src/agent/models/thinkTags';
import type { ModelEvent } from '../../../src/agent/models/types';

function split(pieces: string[]): ModelEvent[] {
  const splitter = new ThinkTagSplitter();
  const events = [...pieces.flatMap((p) => splitter.push(p)), ...splitter.flush()];
  // Adjacent events of one type are one logical run; join them to compare.
  const joined: ModelEvent[] = [];
  for (const e of events) {
    const last = joined.at(-1);
    if (last && last.type === e.type && (e.type === 'text' || e.type === 'thought')) (last as { text: string }).text += e.text;
    else joined.push({ ...e });
  }
  return joined;
}

describe('ThinkTagSplitter', () => {
  it('passes plain text through', () => {
    assert.deepEqual(split(['Hello', ' world']), [{ type: 'text', text: 'Hello world' }]);
  });

  it('splits <think>…</think> into a thought, with tags cut at every position', () => {
    const full = 'Pre<think>reason</think>Answer <b>x</b>';
    for (let cut = 1; cut < full.length; cut++) {
      assert.deepEqual(
        split([full.slice(0, cut), full.slice(cut)]),
        [
          { type: 'text', text: 'Pre' },
          { type: 'thought', text: 'reason' },
          { type: 'text', text: 'Answer <b>x</b>' },
        ],
        `cut at ${cut}`,
      );
    }
  });

  it('streams a character at a time', () => {
    assert.deepEqual(split([...'<think>ab</think>cd']), [
      { type: 'thought', text: 'ab' },
      { type: 'text', text: 'cd' },
    ]);
  });

  it('flushes a held-back partial tag as text at the end', () => {
    assert.deepEqual(split(['a <thi']), [{ type: 'text', text: 'a <thi' }]);
  });
});
