/**
 * One streamed markdown answer in the DOM: settled blocks are rendered once and never touched again; only
 * the open tail block is re-rendered, at most once per scheduled frame, however many chunks arrived.
 */
import { BlockSplitter } from './blocks';
import type { MarkdownRenderer } from './markdown';

export type FrameScheduler = (callback: () => void) => void;

export class MarkdownView {
  readonly element: HTMLElement;
  private readonly tailElement: HTMLElement;
  private readonly splitter: BlockSplitter;
  private text = '';
  private renderedTail = '';
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
  ) {
    this.splitter = new BlockSplitter(maxOpenBlock);
    this.element = document.createElement('div');
    this.element.className = 'markdown';
    this.tailElement = document.createElement('div');
    this.tailElement.className = 'md-block md-tail';
    this.element.append(this.tailElement);
  }

  get source(): string {
    return this.text;
  }

  append(chunk: string): void {
    if (!chunk) return;
    let text = chunk;
    // CRLF may be split across chunks: a trailing \r already became \n, so drop the \n that follows it.
    if (this.pendingCarriageReturn && text.startsWith('\n')) text = text.slice(1);
    this.pendingCarriageReturn = text.endsWith('\r');
    this.text += text.replace(/\r\n?/g, '\n');
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
    if (!this.dirty) return;
    this.dirty = false;
    const { settled, tail } = this.splitter.update(this.text);
    for (const block of settled) {
      const element = this.document.createElement('div');
      element.className = 'md-block';
      element.innerHTML = this.renderer.render(block, true);
      decorateCodeBlocks(this.document, element);
      this.element.insertBefore(element, this.tailElement);
      this.settledCount++;
    }
    if (tail !== this.renderedTail || settled.length > 0) {
      this.renderedTail = tail;
      this.tailElement.innerHTML = tail ? this.renderer.render(tail, false) : '';
      decorateCodeBlocks(this.document, this.tailElement);
    }
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
function decorateCodeBlocks(document: Document, root: HTMLElement): void {
  for (const pre of Array.from(root.querySelectorAll('pre'))) {
    const button = document.createElement('button');
    button.className = 'copy-code codicon codicon-copy';
    button.title = 'Copy code';
    button.setAttribute('aria-label', 'Copy code');
    pre.prepend(button);
  }
}
