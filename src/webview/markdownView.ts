/**
 * One streamed markdown answer in the DOM: settled blocks are rendered once and never touched again; only
 * the open tail block is re-rendered, at most once per scheduled frame, however many chunks arrived.
 */
import { BlockSplitter } from './blocks';
import type { MarkdownRenderer } from './markdown';
import { patchChildren } from './patchDom';

export type FrameScheduler = (callback: () => void) => void;

/**
 * Settled blocks are kept in groups of this many, and groups in sections of this many: every element then has
 * few children however long the answer gets (1 MB is about 10 sections), and a full group or section (styled
 * `content-visibility: auto`) costs no style or layout while off screen. With one level the answer's element
 * got hundreds of groups, and the layout and style work of each update grew with them.
 * A full one is sealed (marked) only in the next render, with the height it was laid out at as its size while
 * skipped: in a fast stream it leaves the screen within a frame, and skipped before the browser remembered its
 * size it collapsed to the stylesheet's placeholder, so the scrollbar was wrong and the view left the end.
 */
const GROUP_SIZE = 32;

/** Groups or sections: the one still filling and how many children it has. */
interface Level {
  readonly className: string;
  element?: HTMLElement;
  count: number;
}

export class MarkdownView {
  readonly element: HTMLElement;
  private readonly tailElement: HTMLElement;
  private readonly splitter: BlockSplitter;
  /** Everything received, as chunks (joined only when asked for). */
  private readonly chunks: string[] = [];
  /** The text not settled into blocks yet; small, so per-update work does not grow with the answer. */
  private open = '';
  private renderedTail = '';
  private readonly groups: Level = { className: 'md-group', count: 0 };
  private readonly sections: Level = { className: 'md-section', count: 0 };
  /** Full groups and sections, sealed at the start of the next render (once they have been laid out). */
  private readonly toSeal: HTMLElement[] = [];
  private pendingCarriageReturn = false;
  private scheduled = false;
  private dirty = false;
  /** Settled blocks rendered so far (for tests and the benchmark). */
  settledCount = 0;

  constructor(
    private readonly document: Document,
    private readonly renderer: MarkdownRenderer,
    private readonly schedule: FrameScheduler,
    maxOpenBlock?: number,
    private readonly groupSize = GROUP_SIZE,
  ) {
    this.splitter = new BlockSplitter(maxOpenBlock);
    this.element = document.createElement('div');
    this.element.className = 'markdown';
    this.tailElement = document.createElement('div');
    this.tailElement.className = 'md-block md-tail';
    this.element.append(this.tailElement);
  }

  get source(): string {
    return this.chunks.join('');
  }

  append(chunk: string): void {
    if (!chunk) return;
    let text = chunk;
    // CRLF may be split across chunks: a trailing \r already became \n, so drop the \n that follows it.
    if (this.pendingCarriageReturn && text.startsWith('\n')) text = text.slice(1);
    this.pendingCarriageReturn = text.endsWith('\r');
    const normalized = text.replace(/\r\n?/g, '\n');
    this.chunks.push(normalized);
    this.open += normalized;
    this.dirty = true;
    if (!this.scheduled) {
      this.scheduled = true;
      this.schedule(() => {
        this.scheduled = false;
        this.flush();
      });
    }
  }

  /** Renders what arrived since the last render, now. */
  flush(): void {
    this.seal();
    if (!this.dirty) return;
    this.dirty = false;
    const { settled, tail, tailContinued, consumed } = this.splitter.update(this.open);
    if (consumed > 0) this.open = this.open.slice(consumed);
    for (const block of settled) {
      const element = this.document.createElement('div');
      element.className = block.continued ? 'md-block md-continued' : 'md-block';
      element.innerHTML = this.renderer.render(block.markdown, true);
      decorateCodeBlocks(this.document, element);
      this.groupFor().append(element);
      this.settledCount++;
    }
    if (tail !== this.renderedTail || settled.length > 0) {
      this.renderedTail = tail;
      this.tailElement.classList.toggle('md-continued', tailContinued);
      // Patched, not replaced: only the text that arrived is new to the browser's layout (patchDom.ts).
      const fresh = this.document.createElement('template');
      fresh.innerHTML = tail ? this.renderer.render(tail, false) : '';
      decorateCodeBlocks(this.document, fresh.content);
      patchChildren(this.tailElement, fresh.content);
    }
  }

  private groupFor(): HTMLElement {
    return this.openIn(this.groups, (group) => this.openIn(this.sections, (section) => this.element.insertBefore(section, this.tailElement)).append(group));
  }

  /** The level's open element, or a new one put in place by `place` (the full one marked, so it is skipped off screen). */
  private openIn(level: Level, place: (element: HTMLElement) => void): HTMLElement {
    if (!level.element || level.count >= this.groupSize) {
      if (level.element) this.toSeal.push(level.element);
      level.element = this.document.createElement('div');
      level.element.className = level.className;
      level.count = 0;
      place(level.element);
    }
    level.count++;
    return level.element;
  }

  /** Reads layout, before this render changes anything: what the last render put there has been laid out. */
  private seal(): void {
    if (this.toSeal.length === 0) return;
    const heights = this.toSeal.map((element) => element.getBoundingClientRect().height);
    this.toSeal.forEach((element, i) => {
      // Nothing laid out (no layout at all, as in tests): the stylesheet's placeholder is the better guess.
      if (heights[i]! > 0) element.style.setProperty('contain-intrinsic-size', `auto ${Math.ceil(heights[i]!)}px`);
      element.classList.add('md-full');
    });
    this.toSeal.length = 0;
  }

  /** The answer is complete: its tail is settled too (highlighted). */
  finish(): void {
    this.flush();
    if (!this.renderedTail) return;
    this.tailElement.innerHTML = this.renderer.render(this.renderedTail, true);
    decorateCodeBlocks(this.document, this.tailElement);
  }
}

/** Adds a copy button to every code block; clicks are handled by delegation in the transcript view. */
function decorateCodeBlocks(document: Document, root: ParentNode): void {
  for (const pre of Array.from(root.querySelectorAll('pre'))) {
    const button = document.createElement('button');
    button.className = 'copy-code codicon codicon-copy';
    button.title = 'Copy code';
    button.setAttribute('aria-label', 'Copy code');
    pre.prepend(button);
  }
}
