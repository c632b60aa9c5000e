/**
 * The input at the bottom: Enter sends, Shift+Enter adds a line, Escape or the stop button cancels a running
 * turn. Around it: attachment chips (`@` files, pasted or dropped images), slash-command completion, and the
 * model and mode pickers with the session's usage.
 */
import { Attachments } from './attachments';
import { el, icon, type Post } from './items';
import { Pickers } from './pickers';
import type { SessionView } from './protocol';
import { LOCAL_COMMANDS, SlashMenu, localCommand, type SlashCommand } from './slashCommands';
import { usageText } from './usage';

export class Composer {
  readonly element: HTMLElement;
  readonly input: HTMLTextAreaElement;
  readonly attachments: Attachments;
  readonly pickers: Pickers;
  readonly usage: HTMLElement;
  private readonly slash: SlashMenu;
  private readonly send: HTMLButtonElement;
  private readonly stop: HTMLButtonElement;
  private busy = false;
  private commands: SlashCommand[] = LOCAL_COMMANDS;
  /** The last question handed back, while the input still holds it unchanged. */
  private restored: string | undefined;

  constructor(
    document: Document,
    private readonly post: Post,
  ) {
    this.element = el(document, 'form', 'composer');
    this.input = el(document, 'textarea', 'composer-input');
    this.input.rows = 1;
    this.input.placeholder = 'Ask Punie (@ file, / command)';
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
    this.attachments = new Attachments(document, (message) => post({ type: 'error', message }));
    this.slash = new SlashMenu(document, (command) => this.complete(command));
    this.pickers = new Pickers(document, post);
    this.usage = el(document, 'span', 'usage muted');
    const row = el(document, 'div', 'composer-row');
    row.append(this.input, this.send, this.stop);
    const toolbar = el(document, 'div', 'composer-toolbar');
    toolbar.append(this.pickers.element, this.usage);
    this.element.append(this.slash.element, this.attachments.element, row, toolbar);

    this.element.addEventListener('submit', (event) => {
      event.preventDefault();
      this.submit();
    });
    this.stop.addEventListener('click', () => this.post({ type: 'cancel' }));
    this.input.addEventListener('keydown', (event) => {
      if (event.isComposing) return;
      if (this.slash.key(event)) event.preventDefault();
      else if (event.key === 'Enter' && !event.shiftKey) {
        event.preventDefault();
        this.submit();
      } else if (event.key === '@' && this.atWordStart()) {
        // The host shows a quick pick of workspace files; the '@' is kept only if nothing is picked.
        this.post({ type: 'mention' });
      }
    });
    this.input.addEventListener('input', () => {
      this.resize();
      this.slash.update(this.input.value, this.commands);
    });
    this.input.addEventListener('blur', () => this.slash.close());
    this.input.addEventListener('paste', (event) => {
      if (event.clipboardData && this.attachments.addImages(event.clipboardData.files)) event.preventDefault();
    });
    this.element.addEventListener('dragover', (event) => event.preventDefault());
    this.element.addEventListener('drop', (event) => {
      if (event.dataTransfer && this.attachments.addImages(event.dataTransfer.files)) event.preventDefault();
    });
  }

  setBusy(busy: boolean): void {
    this.busy = busy;
    this.stop.hidden = !busy;
    this.send.hidden = busy;
  }

  setSession(view: SessionView): void {
    this.pickers.update(view);
    this.commands = [...LOCAL_COMMANDS, ...view.commands.filter((c) => !LOCAL_COMMANDS.some((l) => l.name === c.name))];
    const usage = usageText(view.usage);
    this.usage.textContent = usage?.text ?? '';
    this.usage.title = usage?.title ?? '';
    this.usage.hidden = !usage;
  }

  /** A file picked for the `@` just typed: it becomes a chip and the `@` goes. */
  mentioned(uri: string, name: string): void {
    const at = this.input.value.lastIndexOf('@', this.input.selectionStart);
    if (at !== -1) this.input.value = this.input.value.slice(0, at) + this.input.value.slice(at + 1);
    this.attachments.addFile(uri, name);
    this.input.focus();
  }

  focus(): void {
    this.input.focus();
  }

  private atWordStart(): boolean {
    const before = this.input.value.slice(0, this.input.selectionStart);
    return before === '' || /\s$/.test(before);
  }

  private complete(command: SlashCommand): void {
    this.slash.close();
    if (command.local) {
      this.input.value = '';
      this.post({ type: command.local });
    } else this.input.value = `/${command.name} `;
    this.resize();
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
    const local = localCommand(text);
    if (local?.local) this.post({ type: local.local });
    else {
      const attachments = this.attachments.take();
      this.post({ type: 'send', text, ...(attachments.length ? { attachments } : {}) });
    }
    this.input.value = '';
    this.slash.close();
    this.restored = undefined;
    this.resize();
  }

  private resize(): void {
    this.input.style.height = 'auto';
    this.input.style.height = `${Math.min(this.input.scrollHeight, 200)}px`;
  }
}
