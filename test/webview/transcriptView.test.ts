import assert from 'node:assert/strict';
import { createMarkdownRenderer } from '../../src/webview/markdown';
import type { WebviewMessage } from '../../src/webview/protocol';
import { TranscriptView } from '../../src/webview/transcriptView';
import { domWindow, manualFrames } from '../helpers/dom';

function setup() {
  const window = domWindow();
  const document = window.document;
  const scroller = document.createElement('main');
  const list = document.createElement('div');
  scroller.append(list);
  document.body.append(scroller);
  const frames = manualFrames();
  const posted: WebviewMessage[] = [];
  const follows: boolean[] = [];
  const view = new TranscriptView(document, list, scroller, createMarkdownRenderer(window), frames.schedule, (m) => posted.push(m), (following) => follows.push(following));
  return { window, list, scroller, frames, posted, view, follows };
}

const tool = (status: 'in_progress' | 'completed') =>
  ({ kind: 'tool', id: 't', title: 'Run `ls`', toolKind: 'execute', status, detail: 'out', locations: [{ path: '/w/a.ts', line: 3 }], terminalIds: ['term-1'] }) as const;

describe('TranscriptView', () => {
  it('applies add, append, replace and clear ops to the DOM in order', () => {
    const { list, frames, view } = setup();
    view.apply([
      { op: 'add', item: { kind: 'user', id: 'u', text: 'Hi' } },
      { op: 'add', item: { kind: 'agent', id: 'a', text: 'Hel' } },
      { op: 'append', id: 'a', text: 'lo **you**' },
      { op: 'append', id: 'u', text: ' there' },
      { op: 'add', item: { ...tool('in_progress'), locations: [...tool('in_progress').locations], terminalIds: ['term-1'] } },
    ]);
    frames.run();
    assert.deepEqual([...list.children].map((c) => (c as HTMLElement).dataset.id), ['u', 'a', 't']);
    assert.equal(list.querySelector('.user-text')?.textContent, 'Hi there');
    assert.equal(list.querySelector('.agent strong')?.textContent, 'you');
    view.apply([{ op: 'replace', item: { ...tool('completed'), locations: [], terminalIds: [] } }]);
    assert.ok(list.querySelector('[data-id="t"].status-completed'));
    view.apply([{ op: 'clear' }]);
    assert.equal(list.childElementCount, 0);
    assert.equal(view.isEmpty, true);
  });

  it('keeps a tool card open across updates, and its links and buttons post to the host', () => {
    const { list, posted, view } = setup();
    view.apply([{ op: 'add', item: { ...tool('in_progress'), locations: [{ path: '/w/a.ts', line: 3 }], terminalIds: ['term-1'] } }]);
    (list.querySelector('details.tool') as HTMLDetailsElement).open = true;
    view.apply([{ op: 'replace', item: { ...tool('completed'), locations: [{ path: '/w/a.ts', line: 3 }], terminalIds: ['term-1'] } }]);
    assert.equal((list.querySelector('details.tool') as HTMLDetailsElement).open, true);
    (list.querySelector('a.location') as HTMLElement).click();
    (list.querySelector('button.show-terminal') as HTMLElement).click();
    assert.deepEqual(posted, [
      { type: 'openLocation', path: '/w/a.ts', line: 3 },
      { type: 'showTerminal', terminalId: 'term-1' },
    ]);
  });

  it('shows the raster images a tool returned as inline data images', () => {
    const { list, view } = setup();
    view.apply([{ op: 'add', item: { ...tool('completed'), locations: [], terminalIds: [], images: [{ mimeType: 'image/png', data: 'iVBORw0KGgo=' }] } }]);
    const img = list.querySelector('img.tool-image') as HTMLImageElement;
    assert.equal(img.getAttribute('src'), 'data:image/png;base64,iVBORw0KGgo=');
  });

  it('shows an answered permission on its tool card as a line with the outcome, never as buttons', () => {
    const { list, view } = setup();
    view.apply([{ op: 'add', item: { ...tool('completed'), locations: [], terminalIds: [], permission: { question: 'Run `ls`', outcome: 'allowed', answer: 'Allow' } } }]);
    const line = list.querySelector('details.tool > summary .tool-permission.permission-allowed') as HTMLElement;
    assert.equal(line.textContent, 'You chose: Allow');
    assert.equal(line.title, 'Asked: Run `ls`');
    assert.equal(list.querySelectorAll('button').length, 0, 'nothing to answer');
    view.apply([{ op: 'replace', item: { ...tool('completed'), locations: [], terminalIds: [], permission: { question: 'Run `ls`', outcome: 'cancelled', answer: 'Cancelled' } } }]);
    assert.equal(list.querySelector('.tool-permission')?.textContent, 'Cancelled');
  });

  it('posts the chosen permission option once; only the choice stays, every button of the same weight', () => {
    const { list, posted, view } = setup();
    const options = [
      { optionId: 'y', name: 'Allow', kind: 'allow_once' },
      { optionId: 'n', name: 'Reject', kind: 'reject_once' },
    ] as const;
    view.apply([{ op: 'add', item: { kind: 'permission', id: 'p', title: 'Write a.ts', detail: '', options: [...options], outcome: null } }]);
    const reject = list.querySelector('button[data-option-id="n"]') as HTMLButtonElement;
    reject.click();
    reject.click();
    assert.deepEqual(posted, [{ type: 'permission', id: 'p', optionId: 'n' }]);
    assert.deepEqual([...list.querySelectorAll('button')].map((b) => [b.textContent, (b as HTMLButtonElement).disabled]), [['Reject', true]]);
    view.apply([{ op: 'replace', item: { kind: 'permission', id: 'p', title: 'Write a.ts', detail: '', options: [...options], outcome: 'n' } }]);
    assert.match(list.textContent ?? '', /You chose: Reject/);
    assert.deepEqual([...list.querySelectorAll('button')].map((b) => b.textContent), ['Reject'], 'the unchosen option is gone after a reload too');
    view.apply([{ op: 'add', item: { kind: 'permission', id: 'q', title: 'Run ls', detail: '', options: [...options], outcome: null } }]);
    const classes = [...list.querySelectorAll('[data-id="q"] button')].map((b) => b.className.replace(/kind-\S+/, ''));
    assert.equal(new Set(classes).size, 1, `equal weight: ${classes}`);
  });

  it('marks a notice with Retry that asks again', () => {
    const { list, posted, view } = setup();
    view.apply([{ op: 'add', item: { kind: 'notice', id: 'n', level: 'warning', text: 'Interrupted — the answer was cut off.', action: 'retry' } }]);
    (list.querySelector('button.notice-action') as HTMLButtonElement).click();
    assert.equal(list.querySelector('button.notice-action')?.textContent, 'Retry');
    assert.deepEqual(posted, [{ type: 'retry' }]);
  });

  it('shows a command card\'s whole command, folder and environment as text, with padding made visible', () => {
    const { list, view } = setup();
    const line = `ls${' '.repeat(300)}; rm -rf ~ <b>x</b>`;
    const command = { shell: 'sh -c', line, cwd: '/w/sub', env: [{ name: 'PATH', value: '/tmp/evil' }] };
    view.apply([{ op: 'add', item: { kind: 'permission', id: 'c', title: 'Run this command?', detail: '', command, options: [], outcome: null } }]);
    assert.equal(list.querySelector('.permission-command-line')?.textContent, 'ls␣×300; rm -rf ~ <b>x</b>');
    assert.equal(list.querySelector('.permission-command b'), null, 'never HTML');
    assert.match(list.textContent ?? '', /Command \(run by sh -c\)/);
    assert.match(list.textContent ?? '', /In folder: \/w\/sub/);
    assert.equal(list.querySelector('.permission-command-env')?.textContent, 'PATH=/tmp/evil');
  });

  it('copies a code block through the host', () => {
    const { list, posted, view } = setup();
    view.reset([{ kind: 'agent', id: 'a', text: '```js\nlet x = 1;\n```\n' }], true);
    (list.querySelector('button.copy-code') as HTMLElement).click();
    assert.deepEqual(posted, [{ type: 'copy', text: 'let x = 1;' }]);
  });

  it('reports what it rendered, flushing pending frames first', () => {
    const { view } = setup();
    view.apply([{ op: 'add', item: { kind: 'agent', id: 'a', text: '# Title' } }]);
    const [item] = view.report();
    assert.equal(item.kind, 'agent');
    assert.equal(item.text.trim(), 'Title');
    assert.match(item.html, /<h1>Title<\/h1>/);
  });

  it('never reads layout while applying a message; pins to the end once per frame, after rendering, while it follows the end', () => {
    const { list, scroller, frames, view, follows } = setup();
    // jsdom has no layout: the content's height is its text's length, and every read of it is counted.
    let layoutReads = 0;
    const height = () => 1000 + (list.textContent ?? '').length;
    Object.defineProperty(scroller, 'scrollHeight', { get: () => (layoutReads++, height()) });
    Object.defineProperty(scroller, 'clientHeight', { get: () => (layoutReads++, 100) });
    const scroll = (top?: number) => {
      if (top !== undefined) scroller.scrollTop = top;
      scroller.dispatchEvent(new scroller.ownerDocument.defaultView!.Event('scroll'));
    };
    view.apply([{ op: 'add', item: { kind: 'agent', id: 'a', text: 'Hello' } }]);
    for (let i = 0; i < 5; i++) view.apply([{ op: 'append', id: 'a', text: ` chunk ${i}` }]);
    view.apply([{ op: 'add', item: { kind: 'notice', id: 'n', level: 'info', text: 'note' } }]);
    assert.equal(layoutReads, 0, 'applying messages reads no layout');
    assert.equal(scroller.scrollTop, 0);
    assert.equal(frames.run(), 1, 'one frame for all seven messages');
    assert.match(list.textContent ?? '', /chunk 4/);
    assert.equal(scroller.scrollTop, height(), 'pinned to the end of what the frame rendered');

    // The content grows before the scroll event of the last pin arrives: still following (this read as leaving).
    view.apply([{ op: 'add', item: { kind: 'notice', id: 'n2', level: 'info', text: 'a notice far taller than the slack: '.repeat(10) } }]);
    scroll();
    frames.run();
    assert.equal(scroller.scrollTop, height(), 'still pinned after the content grew');
    assert.deepEqual(follows, [], 'it never stopped following');

    // The user scrolls up: later frames leave the view where it is.
    scroll(10);
    assert.deepEqual(follows, [false]);
    view.apply([{ op: 'append', id: 'a', text: ' more' }]);
    frames.run();
    assert.equal(scroller.scrollTop, 10);

    // Scrolling back near the end follows again.
    scroll(height() - 100 - 20);
    assert.deepEqual(follows, [false, true]);
    view.apply([{ op: 'append', id: 'a', text: ' again' }]);
    frames.run();
    assert.equal(scroller.scrollTop, height());

    // A new question follows its answer even when the view was scrolled up.
    scroll(10);
    view.apply([{ op: 'add', item: { kind: 'user', id: 'u', text: 'next' } }]);
    frames.run();
    assert.equal(scroller.scrollTop, height());
    assert.deepEqual(follows, [false, true, false, true]);

    // Jump to latest follows and moves to the end at once; a new snapshot follows the end too.
    scroll(10);
    view.jumpToEnd();
    assert.equal(scroller.scrollTop, height());
    scroll(10);
    view.reset([{ kind: 'agent', id: 'b', text: 'fresh' }], true);
    frames.run();
    assert.equal(scroller.scrollTop, height());
    assert.deepEqual(follows, [false, true, false, true, false, true, false, true]);
  });

  it('pins to the end after the turn ends and its answer is settled (highlighting may change its height)', () => {
    const { list, scroller, frames, view } = setup();
    Object.defineProperty(scroller, 'scrollHeight', { get: () => 1000 + list.innerHTML.length });
    view.apply([{ op: 'add', item: { kind: 'agent', id: 'a', text: '```ts\nconst a = 1;' } }]);
    frames.run();
    const before = scroller.scrollTop;
    view.finishAnswers();
    assert.equal(frames.run(), 1, 'the settled answer is pinned in a frame');
    assert.ok(scroller.scrollTop > before, 'the highlighted tail is in view');
  });
});
