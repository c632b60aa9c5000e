import assert from 'node:assert/strict';
import { createMarkdownRenderer } from '../../src/webview/markdown';
import { patchChildren } from '../../src/webview/patchDom';
import { domWindow } from '../helpers/dom';

describe('patchChildren', () => {
  const window = domWindow();
  const document = window.document;
  const fragment = (html: string) => {
    const template = document.createElement('template');
    template.innerHTML = html;
    return template.content;
  };

  it('grows a text node in place, keeping the nodes before it', () => {
    const target = document.createElement('div');
    patchChildren(target, fragment('<p>one <em>two</em> thr</p>'));
    const [p] = target.children;
    const text = p!.lastChild as Text;
    const observer = new window.MutationObserver(() => {});
    observer.observe(target, { childList: true, characterData: true, subtree: true });
    patchChildren(target, fragment('<p>one <em>two</em> three</p>'));
    const mutations = observer.takeRecords();
    observer.disconnect();
    assert.equal(target.innerHTML, '<p>one <em>two</em> three</p>');
    assert.equal(target.children[0], p);
    assert.equal(p!.lastChild, text, 'the same text node, grown');
    assert.deepEqual(mutations.map((m) => m.type), ['characterData'], 'only the text changed');
  });

  it('replaces from the first node that differs in kind, name or attributes', () => {
    const target = document.createElement('div');
    patchChildren(target, fragment('<p>a **b</p><ul><li>x</li></ul>'));
    const first = target.firstChild;
    patchChildren(target, fragment('<p>a <strong>b</strong></p><ol start="2"><li>x</li></ol>'));
    assert.equal(target.innerHTML, '<p>a <strong>b</strong></p><ol start="2"><li>x</li></ol>');
    assert.equal(target.firstChild, first, 'the paragraph stayed');
    patchChildren(target, fragment('<p>a <strong>b</strong></p><ol start="3"><li>x</li></ol>'));
    assert.equal(target.innerHTML, '<p>a <strong>b</strong></p><ol start="3"><li>x</li></ol>');
    patchChildren(target, fragment('<p class="x">changed</p>'));
    assert.equal(target.innerHTML, '<p class="x">changed</p>');
    patchChildren(target, fragment(''));
    assert.equal(target.innerHTML, '');
  });

  it('ends equal to a fresh rendering at every step of a streamed answer', () => {
    const renderer = createMarkdownRenderer(window);
    const answer = 'Intro with **bold** and `code`.\n\n- one\n- two\n  more\n\n1. a\n2. b\n\n```ts\nconst a = 1;\n```\n\n> quote <b>raw</b>\n\n| h | i |\n|---|---|\n| 1 | 2 |\n';
    const target = document.createElement('div');
    for (let end = 0; end <= answer.length; end += 3) {
      const html = renderer.render(answer.slice(0, end), false);
      patchChildren(target, fragment(html));
      const fresh = document.createElement('div');
      fresh.innerHTML = html;
      assert.equal(target.innerHTML, fresh.innerHTML, `at ${end} characters`);
    }
  });
});
