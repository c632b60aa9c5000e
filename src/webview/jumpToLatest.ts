/** "Jump to latest": shown while an answer streams and the user has scrolled up, so following it again is one click. */
import { el, icon } from './items';

/** How close to the bottom (px) counts as being at the latest. */
const SLACK = 40;

export class JumpToLatest {
  readonly element: HTMLButtonElement;
  private streaming = false;

  constructor(
    document: Document,
    private readonly scroller: HTMLElement,
  ) {
    this.element = el(document, 'button', 'jump-latest');
    this.element.type = 'button';
    this.element.append(icon(document, 'arrow-down'), el(document, 'span', undefined, 'Jump to latest'));
    this.element.hidden = true;
    this.element.addEventListener('click', () => {
      this.scroller.scrollTop = this.scroller.scrollHeight;
      this.refresh();
    });
    scroller.addEventListener('scroll', () => this.refresh());
  }

  setStreaming(streaming: boolean): void {
    this.streaming = streaming;
    this.refresh();
  }

  refresh(): void {
    const away = this.scroller.scrollHeight - this.scroller.scrollTop - this.scroller.clientHeight >= SLACK;
    this.element.hidden = !(this.streaming && away);
  }
}
