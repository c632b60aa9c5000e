import assert from 'node:assert/strict';
import { JumpToLatest } from '../../src/webview/jumpToLatest';
import { domWindow } from '../helpers/dom';

describe('JumpToLatest', () => {
  it('shows only while an answer streams and the view does not follow the end; a click jumps', () => {
    let jumps = 0;
    const jump = new JumpToLatest(domWindow().document, () => jumps++);
    assert.equal(jump.element.hidden, true);
    jump.setFollowing(false);
    assert.equal(jump.element.hidden, true, 'nothing streams');
    jump.setStreaming(true);
    assert.equal(jump.element.hidden, false);
    jump.element.click();
    assert.equal(jumps, 1);
    jump.setFollowing(true);
    assert.equal(jump.element.hidden, true);
    jump.setFollowing(false);
    jump.setStreaming(false);
    assert.equal(jump.element.hidden, true, 'the answer ended');
  });
});
