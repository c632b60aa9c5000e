/**
 * Agent markdown → safe HTML. Raw HTML in the answer is shown as text, links keep only http(s)/mailto
 * targets, images become links (no remote loads from agent output), code is highlighted once its block is
 * settled, and DOMPurify cleans the result as a second line of defence. Runs in the webview; tests give it
 * a jsdom window.
 */
import DOMPurify, { type WindowLike } from 'dompurify';
import hljs from './highlight';
import { Marked, type Tokens } from 'marked';

/** Larger code blocks are shown without highlighting: highlighting them would stall the view. */
const MAX_HIGHLIGHT_CHARS = 64 * 1024;
const SAFE_URL = /^(?:https?:|mailto:)/i;

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export function isSafeUrl(href: string): boolean {
  return SAFE_URL.test(href.trim());
}

export interface MarkdownRenderer {
  /** Renders one block; `settled` blocks get syntax highlighting. */
  render(markdown: string, settled: boolean): string;
}

export function createMarkdownRenderer(window: WindowLike): MarkdownRenderer {
  const purify = DOMPurify(window);
  purify.addHook('afterSanitizeAttributes', (node) => {
    if (node.nodeName === 'A') node.setAttribute('rel', 'noopener noreferrer');
  });
  let highlight = false;
  const marked = new Marked({
    gfm: true,
    breaks: false,
    renderer: {
      html: ({ text }: Tokens.HTML | Tokens.Tag) => escapeHtml(text),
      link(this: { parser: { parseInline(tokens: Tokens.Link['tokens']): string } }, token: Tokens.Link) {
        const inner = this.parser.parseInline(token.tokens);
        if (!isSafeUrl(token.href)) return inner;
        const title = token.title ? ` title="${escapeHtml(token.title)}"` : '';
        return `<a href="${escapeHtml(token.href.trim())}"${title}>${inner}</a>`;
      },
      image: ({ href, text }: Tokens.Image) => {
        const label = `<span class="image-ref">${escapeHtml(text || 'image')}</span>`;
        return isSafeUrl(href) ? `<a href="${escapeHtml(href.trim())}">${label}</a>` : label;
      },
      checkbox: ({ checked }: Tokens.Checkbox) => (checked ? '☑ ' : '☐ '),
      code: ({ text, lang }: Tokens.Code) => {
        const language = (lang ?? '').trim().split(/\s+/)[0].toLowerCase();
        const known = language !== '' && hljs.getLanguage(language) !== undefined;
        const body =
          highlight && known && text.length <= MAX_HIGHLIGHT_CHARS ? hljs.highlight(text, { language, ignoreIllegals: true }).value : escapeHtml(text);
        const cls = known ? ` class="hljs language-${escapeHtml(language)}"` : ' class="hljs"';
        return `<pre><code${cls}>${body}</code></pre>`;
      },
    },
  });
  return {
    render(markdown, settled) {
      highlight = settled;
      const html = marked.parse(markdown, { async: false }) as string;
      return purify.sanitize(html, {
        ALLOWED_URI_REGEXP: SAFE_URL,
        FORBID_TAGS: ['style', 'img', 'svg', 'math', 'form', 'input', 'button', 'textarea', 'select', 'iframe', 'object', 'embed', 'video', 'audio'],
        FORBID_ATTR: ['style'],
        ALLOW_DATA_ATTR: false,
      });
    },
  };
}
