import assert from 'node:assert/strict';
import { changeMessage, parseChange } from '../../src/store/redisChanges';

describe('the fleet change messages', () => {
  it('round-trips a change and a take-over', () => {
    assert.deepEqual(parseChange(changeMessage('r1', 's1')), { from: 'r1', id: 's1' });
    assert.deepEqual(parseChange(changeMessage('r1', 's1', true)), { from: 'r1', id: 's1', claim: true });
  });

  it('ignores what is not a change message: bad JSON, wrong types, a claim that is not true, empty ids', () => {
    for (const message of ['', '{', 'null', '[]', '{"from":"r1"}', '{"from":1,"id":"s"}', '{"from":"r","id":"s","claim":"yes"}', '{"from":"r","id":""}']) {
      assert.equal(parseChange(message), undefined, message);
    }
  });
});
