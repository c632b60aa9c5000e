/**
 * "Jump to latest": shown while an answer streams and the view has stopped following the end (the user scrolled
 * up), so following it again is one click. It reads no layout: whether the view follows comes from followEnd.ts.
 */
import { el, icon } from './items';

export class JumpToLatest {
  readonly element: HTMLButtonElement;
  private streaming = false;
  private following = true;

  constructor(document: Document, jump: () => void) {
    this.element = el(document, 'button', 'jump-latest');
    this.element.type = 'button';
    this.element.append(icon(document, 'arrow-down'), el(document, 'span', undefined, 'Jump to latest'));
    this.element.hidden = true;
    this.element.addEventListener('click', jump);
  }

  setStreaming(streaming: boolean): void {
    this.streaming = streaming;
    this.refresh();
  }

  setFollowing(following: boolean): void {
    this.following = following;
    this.refresh();
  }

  private refresh(): void {
    const hidden = !(this.streaming && !this.following);
    if (this.element.hidden !== hidden) this.element.hidden = hidden;
  }
}
