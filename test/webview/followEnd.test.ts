import assert from 'node:assert/strict';
import { EndFollower } from '../../src/webview/followEnd';
import { domWindow } from '../helpers/dom';

/** A scroller whose geometry the test sets (jsdom has no layout), with the browser's clamping of scrollTop. */
function scroller() {
  const window = domWindow();
  const element = window.document.createElement('main');
  const box = { height: 1000, client: 100, top: 0 };
  Object.defineProperty(element, 'scrollHeight', { get: () => box.height });
  Object.defineProperty(element, 'clientHeight', { get: () => box.client });
  Object.defineProperty(element, 'scrollTop', { get: () => box.top, set: (v: number) => (box.top = Math.max(0, Math.min(v, box.height - box.client))) });
  const scroll = (top?: number) => {
    if (top !== undefined) element.scrollTop = top;
    element.dispatchEvent(new window.Event('scroll'));
  };
  return { element, box, scroll };
}

describe('EndFollower', () => {
  it('follows the end from the start and pins to it', () => {
    const { element, box } = scroller();
    const end = new EndFollower(element);
    assert.equal(end.following, true);
    end.pin();
    assert.equal(box.top, 900);
  });

  it('keeps following while content grows, shrinks or is re-measured, whatever the scroll events say', () => {
    const { element, box, scroll } = scroller();
    const changes: boolean[] = [];
    const end = new EndFollower(element, (f) => changes.push(f));
    end.pin();
    box.height = 5000; // grew by far more than the slack before the scroll event came
    scroll();
    box.height = 950; // shrank: the browser clamps the view up to the new end
    scroll(box.top);
    assert.equal(box.top, 850);
    scroll();
    assert.deepEqual(changes, []);
    assert.equal(end.following, true);
  });

  it('stops when the user scrolls up away from the end, and follows again at the end or when told', () => {
    const { element, box, scroll } = scroller();
    const changes: boolean[] = [];
    const end = new EndFollower(element, (f) => changes.push(f));
    end.pin();
    scroll(880); // a small move up stays within the slack: still at the end
    assert.equal(end.following, true);
    scroll(300);
    assert.equal(end.following, false);
    box.height = 2000;
    end.pin();
    assert.equal(box.top, 300, 'the view stays where the user left it');
    scroll(600); // down, but not to the end
    assert.equal(end.following, false);
    scroll(1890);
    assert.equal(end.following, true);
    scroll(0);
    end.follow();
    end.pin();
    assert.equal(box.top, 1900);
    assert.deepEqual(changes, [false, true, false, true]);
  });
});
