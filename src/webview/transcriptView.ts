/**
 * The transcript in the DOM: applies host ops to elements, streams agent answers, keeps the view on the end while
 * it follows it (followEnd.ts). A message from the host only changes the DOM; what reads layout (the pin to the
 * end) runs once per frame, after that frame's rendering, so a message never forces a layout of its own.
 */
import { renderReview } from './diffReview';
import { el, renderNotice, renderPermission, renderPlan, renderThought, renderTool, renderUser, type Post } from './items';
import type { MarkdownRenderer } from './markdown';
import { MarkdownView, type FrameScheduler } from './markdownView';
import { EndFollower } from './followEnd';
import type { RenderedItem, TranscriptItem, TranscriptOp } from './protocol';

interface Entry {
  kind: TranscriptItem['kind'];
  element: HTMLElement;
  markdown?: MarkdownView;
  /** Where streamed plain text (user, thought) is appended. */
  textTarget?: HTMLElement;
}

export class TranscriptView {
  private readonly entries = new Map<string, Entry>();
  private readonly end: EndFollower;
  /** Work for the next frame (streamed answers' renders), then the pin; one scheduled frame at a time. */
  private readonly frameWork: (() => void)[] = [];
  private frameScheduled = false;

  constructor(
    private readonly document: Document,
    private readonly list: HTMLElement,
    scroller: HTMLElement,
    private readonly renderer: MarkdownRenderer,
    private readonly schedule: FrameScheduler,
    private readonly post: Post,
    /** Told when the view starts or stops following the end. */
    onFollowingChange: (following: boolean) => void = () => {},
  ) {
    this.end = new EndFollower(scroller, onFollowingChange);
    // The banner or composer growing shrinks the transcript: the newest line stays in view if it was.
    const Observer = document.defaultView?.ResizeObserver;
    if (Observer) new Observer(() => this.end.pin()).observe(scroller);
    list.addEventListener('click', (event) => {
      const target = event.target as HTMLElement;
      if (!target.classList.contains('copy-code')) return;
      const code = target.parentElement?.querySelector('code');
      if (code) post({ type: 'copy', text: code.textContent ?? '' });
      target.classList.replace('codicon-copy', 'codicon-check');
      setTimeout(() => target.classList.replace('codicon-check', 'codicon-copy'), 1200);
    });
  }

  get isEmpty(): boolean {
    return this.entries.size === 0;
  }

  reset(items: readonly TranscriptItem[], finished: boolean): void {
    this.clear();
    for (const item of items) this.add(item);
    if (finished) this.finishAnswers();
    this.end.follow();
    this.inFrame();
  }

  /** Jump to latest: follows the end again, from now. */
  jumpToEnd(): void {
    this.end.follow();
    this.end.pin();
  }

  apply(ops: readonly TranscriptOp[]): void {
    for (const op of ops) {
      if (op.op === 'add') this.add(op.item);
      else if (op.op === 'append') this.append(op.id, op.text);
      else if (op.op === 'replace') this.replace(op.item);
      else this.clear();
    }
    this.inFrame();
  }

  /** Settles every streamed answer (the turn ended): tails get highlighted. */
  finishAnswers(): void {
    for (const entry of this.entries.values()) entry.markdown?.finish();
    this.inFrame();
  }

  /** Renders everything pending now and describes it, for tests. */
  report(): RenderedItem[] {
    const items: RenderedItem[] = [];
    for (const [id, entry] of this.entries) {
      entry.markdown?.flush();
      items.push({ kind: entry.kind, id, text: entry.element.textContent ?? '', html: entry.element.innerHTML });
    }
    return items;
  }

  private clear(): void {
    this.entries.clear();
    this.list.replaceChildren();
  }

  private add(item: TranscriptItem): void {
    if (this.entries.has(item.id)) return;
    const entry = this.build(item);
    entry.element.dataset.id = item.id;
    this.entries.set(item.id, entry);
    this.list.append(entry.element);
    // A new question starts a new turn: its answer is followed even if the view was scrolled up.
    if (item.kind === 'user') this.end.follow();
  }

  private build(item: TranscriptItem): Entry {
    switch (item.kind) {
      case 'agent': {
        const markdown = new MarkdownView(this.document, this.renderer, (cb) => this.inFrame(cb));
        const element = el(this.document, 'div', 'item agent');
        element.append(markdown.element);
        markdown.append(item.text);
        return { kind: item.kind, element, markdown };
      }
      case 'user': {
        const element = renderUser(this.document, item, this.post);
        return { kind: item.kind, element, textTarget: element.querySelector<HTMLElement>('.user-text')! };
      }
      case 'thought': {
        const element = renderThought(this.document, item);
        return { kind: item.kind, element, textTarget: element.querySelector<HTMLElement>('.thought-text')! };
      }
      case 'tool':
        return { kind: item.kind, element: renderTool(this.document, item, this.post) };
      case 'plan':
        return { kind: item.kind, element: renderPlan(this.document, item) };
      case 'permission':
        return { kind: item.kind, element: item.review ? renderReview(this.document, item, item.review, this.post) : renderPermission(this.document, item, this.post) };
      case 'notice':
        return { kind: item.kind, element: renderNotice(this.document, item, this.post) };
    }
  }

  private append(id: string, text: string): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    if (entry.markdown) entry.markdown.append(text);
    else entry.textTarget?.append(text);
  }

  private replace(item: TranscriptItem): void {
    const old = this.entries.get(item.id);
    if (!old || old.kind !== item.kind) return;
    const wasOpen = old.element instanceof this.document.defaultView!.HTMLDetailsElement && old.element.open;
    const entry = item.kind === 'tool' ? { kind: item.kind, element: renderTool(this.document, item, this.post, wasOpen) } : this.build(item);
    entry.element.dataset.id = item.id;
    old.element.replaceWith(entry.element);
    this.entries.set(item.id, entry);
  }

  /** Queues `work` (if any) for the next frame, which ends with the pin. */
  private inFrame(work?: () => void): void {
    if (work) this.frameWork.push(work);
    if (this.frameScheduled) return;
    this.frameScheduled = true;
    this.schedule(() => {
      this.frameScheduled = false;
      for (const run of this.frameWork.splice(0)) run();
      this.end.pin();
    });
  }
}
