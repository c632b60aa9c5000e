/** The input at the bottom: Enter sends, Shift+Enter adds a line, Escape or the stop button cancels a running turn. */
import { el, icon, type Post } from './items';

export class Composer {
  readonly element: HTMLElement;
  readonly input: HTMLTextAreaElement;
  private readonly send: HTMLButtonElement;
  private readonly stop: HTMLButtonElement;
  private busy = false;
  /** The last question handed back, while the input still holds it unchanged. */
  private restored: string | undefined;

  constructor(document: Document, private readonly post: Post) {
    this.element = el(document, 'form', 'composer');
    this.input = el(document, 'textarea', 'composer-input');
    this.input.rows = 1;
    this.input.placeholder = 'Ask Punie…';
    this.input.title = 'Enter sends, Shift+Enter adds a line';
    this.input.setAttribute('aria-label', 'Ask Punie');
    this.send = el(document, 'button', 'icon-button send');
    this.send.type = 'submit';
    this.send.title = 'Send (Enter)';
    this.send.append(icon(document, 'send'));
    this.stop = el(document, 'button', 'icon-button stop');
    this.stop.type = 'button';
    this.stop.title = 'Stop (Escape)';
    this.stop.append(icon(document, 'debug-stop'));
    this.stop.hidden = true;
    this.element.append(this.input, this.send, this.stop);

    this.element.addEventListener('submit', (event) => {
      event.preventDefault();
      this.submit();
    });
    this.stop.addEventListener('click', () => this.post({ type: 'cancel' }));
    this.input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.submit();
      } else if (event.key === 'Escape' && this.busy) {
        event.preventDefault();
        this.post({ type: 'cancel' });
      }
    });
    this.input.addEventListener('input', () => this.resize());
  }

  setBusy(busy: boolean): void {
    this.busy = busy;
    this.stop.hidden = !busy;
    this.send.hidden = busy;
  }

  focus(): void {
    this.input.focus();
  }

  /** Puts a question that could not be sent back, unless the user has typed something else there. */
  restore(text: string): void {
    if (this.input.value.trim() && this.input.value !== this.restored) return;
    this.restored = text;
    this.input.value = text;
    this.resize();
    this.input.focus();
  }

  private submit(): void {
    const text = this.input.value.trim();
    if (!text || this.busy) return;
    this.post({ type: 'send', text });
    this.input.value = '';
    this.restored = undefined;
    this.resize();
  }

  private resize(): void {
    this.input.style.height = 'auto';
    this.input.style.height = `${Math.min(this.input.scrollHeight, 200)}px`;
  }
}
